"""Page rules stored per document with a validity range (tracker.store.overrides), and
managed from the command line."""

from datetime import datetime

import pytest
from click.testing import CliRunner
from corpora import DATA

from tracker.cli import main
from tracker.normalize import PageRule, RuleError, parse_selectors
from tracker.store.documents import add_document
from tracker.store.exceptions import UnknownOverride
from tracker.store.overrides import add_override, document_overrides, remove_override

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

PAGE = (DATA / "pages" / "page-rules.html").read_bytes()


def rule(select=None, remove=None) -> PageRule:
    return PageRule(parse_selectors(select), parse_selectors(remove))


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
