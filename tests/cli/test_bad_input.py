"""Bad input is refused with one line, before anything is stored: URLs with a control
character or an impossible port, empty or multi-line provider and document names."""

import pytest


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
])
def test_bad_input_is_refused_and_nothing_is_stored(tracker_cli, args, message):
    result = tracker_cli(*args, ok=False)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], result.output
    assert "no documents" in tracker_cli("list").output or tracker_cli("list", "--json").output.strip() == "[]"
