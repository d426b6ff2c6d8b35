"""Bad input is refused with one line, before anything is stored: URLs with a control
character or an impossible port, empty or multi-line provider and document names."""

import pytest

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


@pytest.mark.parametrize("args, message", [
    (("add", "https://example.com/priv\nacy", "--provider", "x"), "control character"),
    (("add", "https://example.com/\rprivacy", "--provider", "x"), "control character"),
    (("add", "https://example.com:99999/privacy", "--provider", "x"), "port number"),
    (("add", "https://example.com:0/privacy", "--provider", "x"), "port number"),
    (("add", "ftp://example.com/privacy", "--provider", "x"), "not an http(s) URL"),
    (("add", "https://example.com/privacy", "--provider", "x", "--document", ""), "document name is empty"),
    (("add", "https://example.com/privacy", "--provider", "x", "--document", "  "), "document name is empty"),
    (("add", "https://example.com/privacy", "--provider", "a\nb"), "control character"),
    (("add", "https://example.com/privacy", "--provider", "x" * 201), "longer than 200"),
    (("add", "http://user:pw@example.com/p", "--provider", "x"), "user name or password"),
    (("add", "http://user@example.com/p", "--provider", "x"), "user name or password"),
])
def test_bad_input_is_refused_and_nothing_is_stored(tracker_cli, args, message):
    result = tracker_cli(*args, ok=False)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], result.output
    assert ":pw@" not in result.output
    assert "no documents" in tracker_cli("list").output or tracker_cli("list", "--json").output.strip() == "[]"


def test_credentials_already_stored_in_a_tracked_url_are_never_listed(tracker_cli, database_url):
    """A database written before such URLs were refused may hold one: `list` masks it."""
    from sqlalchemy import insert

    from tracker.store.db import open_database
    from tracker.store.models import DocumentUrl

    tracker_cli("add", "https://example.com/privacy", "--provider", "x")
    sessions = open_database(database_url)
    with sessions.begin() as session:
        session.execute(insert(DocumentUrl).values(document_id=1, url="http://user:pw@example.com/p"))
    sessions.kw["bind"].dispose()
    for args in (("list",), ("list", "--json")):
        output = tracker_cli(*args).output
        assert "user:***@example.com/p" in output and ":pw@" not in output
