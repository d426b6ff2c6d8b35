"""Per-document overrides: CSS select/remove (and OTA range selectors) applied by the
normalizer, stored with a validity range, managed from the command line."""

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.normalize import PageRule, RuleError, normalize, parse_selectors
from tracker.store.db import open_database
from tracker.store.documents import add_document
from tracker.store.exceptions import UnknownOverride
from tracker.store.overrides import add_override, document_overrides, remove_override

LEX = Path(__file__).parent / "data" / "corpus" / "archive" / "dating--lex--privacy-policy"
FILLER = "<p>We collect your name and email address to provide the service and answer your requests.</p>" * 6
PAGE = (
    "<html><head><title>Example privacy</title></head><body>"
    "<div id='promo'><p>Download our app today and get a month of premium for free, with every feature "
    "unlocked and no commitment whatsoever, for new and returning members alike.</p></div>"
    "<div class='policy' id='part-1'><h2>Collection</h2>" + FILLER + "<p class='note'>Editor's note.</p></div>"
    "<aside class='policy' id='part-2'><h2>Retention</h2><p>We keep data for 30 days.</p></aside>"
    "<div id='end'><p>Contact: privacy@example.com</p></div>"
    "</body></html>"
).encode()


def texts(doc):
    return [b.text for b in doc.blocks]


def rule(select=None, remove=None) -> PageRule:
    return PageRule(parse_selectors(select), parse_selectors(remove))


def test_select_keeps_every_match_in_order_even_what_looks_like_chrome():
    doc = normalize(PAGE, rules=(rule(select=".policy"),))
    assert texts(doc)[0] == "Collection"
    assert texts(doc)[-2:] == ["Retention", "We keep data for 30 days."]  # an <aside>, kept: selected
    assert "Contact: privacy@example.com" not in texts(doc)
    assert doc.title == "Example privacy"


def test_remove_drops_parts_and_the_rest_is_normalized_as_usual():
    plain = normalize(PAGE)
    assert "Editor's note." in texts(plain)
    doc = normalize(PAGE, rules=(rule(remove=[".note", "#end"]),))
    assert "Editor's note." not in texts(doc) and "Contact: privacy@example.com" not in texts(doc)
    assert "Collection" in texts(doc)


def test_range_selectors_as_open_terms_archive_writes_them():
    both = normalize(PAGE, rules=(rule(select={"startBefore": "#part-1", "endBefore": "#end"}),))
    assert texts(both)[0] == "Collection" and texts(both)[-1] == "We keep data for 30 days."
    after = normalize(PAGE, rules=(rule(select={"startAfter": "#part-1", "endAfter": "#end"}),))
    assert texts(after)[0] == "Retention" and texts(after)[-1] == "Contact: privacy@example.com"
    removed = normalize(PAGE, rules=(rule(remove={"startBefore": "#promo", "endBefore": "#part-2"}),))
    assert texts(removed)[0] == "Retention"


def test_select_matching_nothing_keeps_the_whole_page():
    assert normalize(PAGE, rules=(rule(select="#redesigned-site"),)).blocks == normalize(PAGE).blocks


def test_a_real_page_with_an_open_terms_archive_selector():
    body = (LEX / "20230419003251.html").read_bytes()
    doc = normalize(body, rules=(rule(select="#fullArticle", remove="table"),))
    assert doc.blocks and not any(b.kind == "table_row" for b in doc.blocks)
    assert [b for b in normalize(body).blocks if b.kind != "table_row"] == list(doc.blocks)


@pytest.mark.parametrize("bad", ["div[", "", 3, {"startBefore": "#a"}, {"startBefore": "#a", "endBefore": "#b",
                                                                          "startAfter": "#c"}])
def test_malformed_selectors_are_refused_with_a_clear_error(bad):
    with pytest.raises(RuleError):
        parse_selectors(bad)


@pytest.fixture
def sessions(database_url):
    return open_database(database_url)


def test_stored_rules_apply_within_their_dates_and_adding_twice_stores_once(sessions):
    with sessions.begin() as session:
        document = add_document(session, "https://example.com/privacy", "Example")
        first, created = add_override(session, document, parse_selectors(".policy"), (),
                                      datetime(2020, 1, 1), datetime(2021, 1, 1))
        again, created_again = add_override(session, document, parse_selectors(".policy"), (),
                                            datetime(2020, 1, 1), datetime(2021, 1, 1))
        add_override(session, document, (), parse_selectors({"startBefore": "#a", "endAfter": "#b"}),
                     datetime(2020, 6, 1), None, source="ota:Example.json")
        document_id = document.id
    assert created and not created_again and first.id == again.id
    with sessions() as session:
        rules = document_overrides(session, document_id)
    assert rules.at(datetime(2019, 12, 31)) == ()
    assert rules.at(datetime(2020, 3, 1)) == (rule(select=".policy"),)
    assert len(rules.at(datetime(2020, 7, 1))) == 2
    assert rules.at(datetime(2021, 1, 1)) == (rule(remove={"startBefore": "#a", "endAfter": "#b"}),)
    assert rules.rules[1].to_dict()["remove"] == [{"startBefore": "#a", "endAfter": "#b"}]
    with sessions.begin() as session:
        with pytest.raises(RuleError):
            add_override(session, session.merge(document), (), (), None, None)
        with pytest.raises(RuleError):
            add_override(session, session.merge(document), parse_selectors("p"), (),
                         datetime(2021, 1, 1), datetime(2020, 1, 1))
        remove_override(session, first.id)
        with pytest.raises(UnknownOverride):
            remove_override(session, first.id)


def test_override_commands_and_normalize_shows_what_the_tracker_sees(tmp_path, database_url):
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_CONFIG": str(tmp_path / "absent.toml"),
           "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots")}
    (tmp_path / "absent.toml").write_text("")
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)

    def run(*args, ok=True):
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        assert "Traceback" not in result.output
        return result.output

    run("add", "https://example.com/privacy", "--provider", "Example")
    assert "added: override 1" in run("override", "add", "Example", "--remove", "#end", "--remove", ".note",
                                      "--from", "2020", "--until", "2021-06")
    assert "already stored: override 1" in run("override", "add", "Example", "--remove", "#end",
                                               "--remove", ".note", "--from", "2020", "--until", "2021-06")
    listed = run("override", "list")
    assert "2020-01-01T00:00:00 .. 2021-06-01T00:00:00" in listed and '["#end", ".note"]' in listed
    assert "privacy@example.com" in run("normalize", str(page))
    assert "privacy@example.com" in run("normalize", str(page), "--provider", "Example")  # now: outside
    inside = run("normalize", str(page), "--provider", "Example", "--date", "2020-05-01", "--format", "text")
    assert "privacy@example.com" not in inside and "Editor's note." not in inside
    assert "invalid CSS selector" in run("override", "add", "Example", "--select", "div[", ok=False)
    assert "not a date" in run("override", "add", "Example", "--select", "p", "--from", "May", ok=False)
    assert "no override with id 7" in run("override", "remove", "7", ok=False)
    assert "removed override 1" in run("override", "remove", "1")
    assert run("override", "list", "--json") == ""
