"""Open Terms Archive declarations (`<Service>.json` + `<Service>.history.json`) imported as
normalizer overrides with their validity ranges. Fixtures: tests/data/ota/declarations."""

import json
from datetime import datetime

import pytest
from click.testing import CliRunner
from corpora import DATA

from tracker.cli import main
from tracker.normalize import RangeSelector
from tracker.store.documents import add_document
from tracker.store.ota import OtaError, import_rules, read_declaration
from tracker.store.overrides import document_overrides

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

DECLARATIONS = DATA / "ota" / "declarations"


def test_history_and_current_declaration_become_consecutive_ranges():
    rules = read_declaration(DECLARATIONS / "LEX.json")
    assert [(r.valid_from, r.valid_until) for r in rules] == [
        (None, datetime(2022, 9, 18)),
        (datetime(2022, 9, 18), datetime(2023, 2, 1, 12)),
        (datetime(2023, 2, 1, 12), None),
    ]
    oldest, middle, current = rules
    assert oldest.select == (RangeSelector("#fullArticle", True, ".articleRatings", True),)  # older form
    assert middle.select == ("#main-content", "#sidebar") and middle.filters == ("removeTrackingIdsQueryParam",)
    assert current.select == ("#fullArticle",)
    assert current.remove == (".articleRatings", RangeSelector("#fullArticle > table", True,
                                                                "#fullArticle > table", False))
    assert [r.select for r in read_declaration(DECLARATIONS / "LEX.json", "Terms of Service")] == [
        ("main",), ("#fullArticle",)]


@pytest.mark.parametrize("name, message", [
    ("Broken.json", "invalid CSS selector 'div['"),
    ("Missing.json", "no such declaration file"),
    ("LEX.history.json", "not an Open Terms Archive declaration"),
])
def test_bad_declarations_are_named_errors(name, message):
    with pytest.raises(OtaError, match=message.replace("[", r"\[")):
        read_declaration(DECLARATIONS / name)


def test_unknown_terms_type_lists_the_declared_ones():
    with pytest.raises(OtaError, match="terms types: Privacy Policy, Terms of Service"):
        read_declaration(DECLARATIONS / "LEX.json", "Cookie Policy")


def test_import_is_idempotent_and_skips_what_it_cannot_apply(sessions):
    with sessions.begin() as session:
        document = add_document(session, "https://help.thisislex.app/article/51-privacy-policy", "LEX")
        first = import_rules(session, document, read_declaration(DECLARATIONS / "LEX.json"), "ota:LEX.json")
        again = import_rules(session, document, read_declaration(DECLARATIONS / "LEX.json"), "ota:LEX.json")
        combined = import_rules(session, document, read_declaration(DECLARATIONS / "Combined.json"), "ota")
        document_id = document.id
    assert (first.added, first.existing, again.added, again.existing) == (3, 0, 0, 3)
    assert first.ignored_filters == ("2022-09-18 to 2023-02-01: removeTrackingIdsQueryParam",)
    assert combined.added == 0 and combined.skipped == ("open to open: no selector (a PDF or a combined document)",)
    with sessions() as session:
        rules = document_overrides(session, document_id)
    assert len(rules.rules) == 3 and {r.source for r in rules.rules} == {"ota:LEX.json"}
    assert rules.at(datetime(2024, 1, 1))[0].select == ("#fullArticle",)


def test_import_command(tmp_path, database_url):
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_CONFIG": str(tmp_path / "absent.toml")}
    (tmp_path / "absent.toml").write_text("")
    runner = CliRunner()
    runner.invoke(main, ["add", "https://help.thisislex.app/article/51-privacy-policy", "--provider", "LEX"],
                  env=env, catch_exceptions=False)
    result = runner.invoke(main, ["override", "import-ota", str(DECLARATIONS / "LEX.json"), "--provider", "LEX"],
                           env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "LEX / Privacy Policy: 3 overrides added, 0 already stored" in result.output
    assert "not imported (OTA JavaScript filter) 2022-09-18 to 2023-02-01: removeTrackingIdsQueryParam" in result.output
    listed = runner.invoke(main, ["override", "list", "--json"], env=env, catch_exceptions=False).output
    assert [json.loads(line)["valid_until"] for line in listed.splitlines()] == [
        "2022-09-18T00:00:00", "2023-02-01T12:00:00", None]
    broken = runner.invoke(main, ["override", "import-ota", str(DECLARATIONS / "Broken.json"), "--provider", "LEX"],
                           env=env, catch_exceptions=False)
    assert broken.exit_code == 1 and "Broken.json: invalid CSS selector" in broken.output
