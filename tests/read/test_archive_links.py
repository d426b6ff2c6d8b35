"""An archive link is never made up: a version or change first seen in an imported record
links to that record's own origin (an Open Terms Archive snapshot commit, the Wayback
capture a provenance line names) or to nothing, in the analyst views, the dataset exports
and the Markdown export; never a Wayback address built from a local file path or from a
page URL no capture was taken of."""

import csv
import json
from datetime import datetime

from git_repos import Repo, ota_record, policy


def test_imported_versions_link_to_their_own_origin_or_nothing(tracker_cli, tmp_path):
    run = tracker_cli
    bare = tmp_path / "bare.md"
    bare.write_text(policy())
    run("import", "files", str(bare), "--provider", "Bare", "--date", "2020", "--quiet")
    paged = tmp_path / "paged.md"
    paged.write_text(policy())
    run("import", "files", str(paged), "--provider", "Paged", "--date", "2020", "--url",
        "https://paged.example.com/privacy", "--quiet")
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy())
    ota_record(repo, "Acme", "change", datetime(2021, 6, 1, 12),
               policy((4, "We sell your personal information to advertisers.")))
    run("import", "ota", str(repo.path), "--quiet")

    run("export", str(tmp_path / "versions.csv"), "--what", "versions")
    links = {row["provider"]: row["first_archive_url"]
             for row in csv.DictReader((tmp_path / "versions.csv").open(encoding="utf-8")) if row["seq"] == "1"}
    assert links["Bare"] == "" and links["Paged"] == ""  # no origin: no link, not a made-up Wayback one
    assert links["Acme"].startswith("https://github.com/OpenTermsArchive/demo-snapshots/commit/")

    run("export", str(tmp_path / "changes.jsonl"), "--what", "changes", "--format", "jsonl")
    changes = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
    assert changes and all(c["before_archive_url"].startswith("https://github.com/OpenTermsArchive/")
                           and c["after_archive_url"].startswith("https://github.com/OpenTermsArchive/")
                           and c["before_archive_url"] != c["after_archive_url"] for c in changes)

    run("export-markdown", "Bare", str(tmp_path / "md"))
    [markdown] = (tmp_path / "md").rglob("*.md")
    assert "\narchive_url: null\n" in markdown.read_text()
    made_up = run("sql", "SELECT count(*) AS n FROM policy_timeline WHERE first_archive_url LIKE "
                         "'https://web.archive.org/%'", "--format", "json").output
    assert json.loads(made_up)[0]["n"] == 0
