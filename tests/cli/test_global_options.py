"""The group's options (-v, --config) work after the command name too, and a command's
--json before it, as the README's table writes them."""

import json

import pytest

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def test_verbose_after_the_command_name(tracker_cli):
    tracker_cli("add", "https://example.com/privacy", "--provider", "example.com")
    assert "example.com" in tracker_cli("list", "-v").output  # main said: No such option: -v
    assert "example.com" in tracker_cli("list", "--verbose", "--json").output


def test_config_after_the_command_name(tracker_cli, tmp_path):
    result = tracker_cli("list", "--config", str(tmp_path / "missing.toml"), ok=False)
    assert "config file not found" in result.output
    result = tracker_cli("list", f"--config={tmp_path / 'missing.toml'}", ok=False)
    assert "config file not found" in result.output


def test_json_before_the_command_name(tracker_cli):
    tracker_cli("add", "https://example.com/privacy", "--provider", "example.com")
    listed = json.loads(tracker_cli("--json", "list").output)
    assert listed[0]["provider"] == "example.com"


def test_arguments_after_a_double_dash_are_left_alone(tracker_cli):
    result = tracker_cli("history", "--", "-v", ok=False)
    assert "unknown provider" in result.output and "'-v'" in result.output
