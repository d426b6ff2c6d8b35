"""`tracker import files|citp|ota`: datasets merged into the timelines the archive builds."""

import json
import shutil
import subprocess
from datetime import datetime

import pytest
from corpora import OTA_BUNDLE
from corpora import SAMPLE_SEEDS as SEEDS
from git_repos import Repo, citp_snapshot, ota_record, policy

from tracker.archive import ArchiveServer

VOIP = "http://www.voip.com/privacy_policy.aspx"


def history(run, provider):
    return json.loads(run("history", provider, "--json").output)[0]["versions"]


@pytest.fixture
def citp_repo(tmp_path):
    repo = Repo(tmp_path / "pl")
    repo.commit({"README.md": "# The corpus\n"}, "readme", datetime(2020, 1, 1))
    citp_snapshot(repo, "example.com", "http://example.com/privacy", datetime(2009, 3, 1, 10, 0, 5), "Privacy",
                  policy())
    citp_snapshot(repo, "shop.org", "https://shop.org/legal/privacy", datetime(2010, 5, 2, 8, 30), "Shop",
                  policy((4, "We sell your personal information to our partners for marketing.")))
    citp_snapshot(repo, "example.com", "http://example.com/privacy", datetime(2011, 7, 9, 12, 0), "Privacy",
                  policy())  # the same text again: no new version
    citp_snapshot(repo, "example.com", "http://example.com/privacy", datetime(2013, 2, 4, 6, 40), "Privacy",
                  policy((8, "We keep billing records for ten years because the tax law of our country requires it.")))
    # no provenance line: the date and URL come from the commit's JSON metadata
    citp_snapshot(repo, "shop.org", "https://shop.org/legal/privacy", datetime(2012, 1, 15), "Shop",
                  policy(), provenance=False)
    return repo


def test_citp_repository_imports_in_date_order_with_provenance_and_reruns_add_nothing(tracker_cli, citp_repo):
    run = tracker_cli
    output = run("import", "citp", str(citp_repo.path), "--quiet").output
    assert "read 5, imported 5 (0 technical), already held 0, skipped 0" in output
    versions = history(run, "example.com")
    assert [v["first_timestamp"] for v in versions] == ["20090301100005", "20130204064000"]
    assert versions[0]["last_timestamp"] == "20110709120000" and versions[0]["captures"] == 2
    assert versions[1]["modified"] == 1 and versions[1]["material"] is True
    sources = versions[0]["sources"]
    assert [s["source"] for s in sources] == ["citp", "citp"]
    assert sources[0]["ref"].startswith("citp/privacy-policy-historical@")
    assert sources[0]["ref"].endswith(":e/ex/exa/example.com.md")
    assert sources[0]["url"] == "https://web.archive.org/web/20090301100005id_/http%3A//example.com/privacy"
    shop = history(run, "shop.org")
    assert [v["first_timestamp"] for v in shop] == ["20100502083000", "20120115000000"]
    listing = {row["provider"]: row["urls"] for row in json.loads(run("list", "--json").output)}
    assert listing["shop.org"] == ["https://shop.org/legal/privacy"]

    again = run("import", "citp", str(citp_repo.path), "--quiet").output
    assert "imported 0 (0 technical), already held 5" in again and "new versions 0" in again
    assert history(run, "example.com") == versions


def test_citp_domain_filter_then_the_rest_equals_one_whole_import(tracker_cli, citp_repo, tmp_path):
    run = tracker_cli
    first = run("import", "citp", str(citp_repo.path), "--domain", "shop.org", "--quiet").output
    assert "imported 2" in first
    assert "unknown provider" in run("history", "example.com", ok=False).output
    (tmp_path / "domains.txt").write_text("example.com\nshop.org\n")
    rest = run("import", "citp", str(citp_repo.path), "--domains-file", str(tmp_path / "domains.txt"),
               "--quiet").output
    assert "imported 3 (0 technical), already held 2" in rest
    assert [v["first_timestamp"] for v in history(run, "example.com")] == ["20090301100005", "20130204064000"]


def test_ota_repository_technical_records_are_technical_and_first_and_changes_are_versions(tracker_cli, tmp_path):
    run = tracker_cli
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy())
    ota_record(repo, "Acme", "change", datetime(2021, 6, 1, 12),
               policy((1, "We collect your name, email address, phone number and billing details when you sign up.")))
    ota_record(repo, "Acme", "technical", datetime(2021, 9, 1, 12),
               policy((1, "We collect your name, email address, phone number and billing details when you sign up."),
                      (7, "You may close your account at any time by writing to our support team.")))
    ota_record(repo, "Other", "first", datetime(2022, 2, 2), policy())
    output = run("import", "ota", str(repo.path), "--service", "Acme", "--quiet").output
    assert "read 3, imported 3 (1 technical)" in output
    versions = history(run, "Acme")
    assert [v["first_timestamp"] for v in versions] == ["20210105120000", "20210601120000", "20210901120000"]
    assert versions[1]["sources"][0]["url"].startswith("https://github.com/OpenTermsArchive/demo-snapshots/commit/")
    rows = json.loads(run("sql", "SELECT v.seq, c.technical FROM change c JOIN version v ON v.id = c.to_version_id "
                              "ORDER BY v.seq", "--format", "json").output)
    assert [(r["seq"], bool(r["technical"])) for r in rows] == [(2, False), (3, True)]
    assert "unknown provider" in run("history", "Other", ok=False).output


def test_import_beside_archive_captures_one_timeline_both_sources(tracker_cli, sample_corpus):
    run = tracker_cli
    with ArchiveServer(sample_corpus) as server:
        run.env["TRACKER_WAYBACK_URL"] = server.url
        run("add", VOIP, "--provider", "voip.com")
        run("add", "http://www.onebox.com/signup/privacy", "--provider", "onebox.com")
        run("add", "http://www.onebox.com/privacy.asp", "--provider", "onebox.com")
        run("backfill", "--quiet")
    changes_before = json.loads(run("sql", "SELECT id, created_at FROM change ORDER BY id", "--format", "json").output)
    output = run("import", "files", str(SEEDS / "001_d67f99737f0e024a.txt"), str(SEEDS / "003_984e1f94c2d7a956.txt"),
                 "--quiet").output
    assert "imported 2" in output
    voip = history(run, "voip.com")
    assert len(voip) == 2  # the 2006 seed text is the 2006 capture's version: no change
    assert [s["source"] for s in voip[0]["sources"]] == ["wayback", "file"]
    assert voip[0]["sources"][1]["url"].startswith("https://web.archive.org/web/20061016220256id_/")
    onebox = history(run, "onebox.com")
    assert [v["first_timestamp"] for v in onebox] == ["20090405150900", "20130828063250", "20140212170723"]
    assert [s["source"] for s in onebox[-1]["sources"]] == ["file"]
    diff = json.loads(run("diff", "onebox.com", "--from", "2013", "--to", "2014", "--json").output)[0]
    assert diff["from_version"] == 2 and diff["to_version"] == 3 and diff["changes"]
    text = run("history", "voip.com").output
    assert "from wayback; file " in text
    after = json.loads(run("sql", "SELECT id, created_at FROM change ORDER BY id", "--format", "json").output)
    assert changes_before == after[:len(changes_before)]
    rows = json.loads(run("sql", "SELECT provider, seq, source FROM version_sources WHERE provider = 'voip.com' "
                              "ORDER BY seq, timestamp, source", "--format", "json").output)
    assert [(r["seq"], r["source"]) for r in rows] == [(1, "file"), (1, "wayback"), (2, "wayback")]


def test_an_import_older_than_the_history_rebuilds_it_keeping_change_ids(tracker_cli, sample_corpus):
    run = tracker_cli
    with ArchiveServer(sample_corpus) as server:
        run.env["TRACKER_WAYBACK_URL"] = server.url
        run("add", "https://www.iubenda.com/privacy-policy/8179510/full-legal", "--provider", "avoxi.com")
        run("add", "http://www.avoxi.com/privacy_policy.html", "--provider", "avoxi.com")
        run("backfill", "--quiet")
    before = json.loads(run("sql", "SELECT c.id, c.created_at, v.first_seen FROM change c JOIN version v "
                                   "ON v.id = c.to_version_id", "--format", "json").output)
    run("import", "files", str(SEEDS / "000_99d3b528198a22d9.txt"), "--quiet")
    versions = history(run, "avoxi.com")
    assert versions[0]["first_timestamp"] == "20030604084055" and versions[0]["sources"][0]["source"] == "file"
    after = json.loads(run("sql", "SELECT c.id, c.created_at, v.first_seen FROM change c JOIN version v "
                                  "ON v.id = c.to_version_id", "--format", "json").output)
    assert [row for row in after if row["id"] in {r["id"] for r in before}] == before
    assert len(after) == len(before) + 1


def test_files_take_provider_from_options_and_date_from_the_text_or_refuse_in_one_line(tracker_cli, tmp_path):
    run = tracker_cli
    voipx = SEEDS / "002_58713a10f531be29.txt"
    refused = run("import", "files", str(voipx), "--quiet", ok=False)
    assert "no provider" in refused.output and "give --provider" in refused.output
    assert "Traceback" not in refused.output
    run("import", "files", str(voipx), "--provider", "VoIPX", "--quiet")
    assert history(run, "VoIPX")[0]["first_timestamp"] == "20150101000000"  # "Policy Updated January 2015"
    undated = tmp_path / "undated.md"
    undated.write_text(policy())
    assert "no date" in run("import", "files", str(undated), "--provider", "Acme", "--quiet", ok=False).output
    run("import", "files", str(undated), "--provider", "Acme", "--date", "2019-04-01", "--url",
        "https://acme.example.com/privacy", "--quiet")
    assert history(run, "Acme")[0]["first_timestamp"] == "20190401000000"
    assert "imported 0 (0 technical), already held 1" in run(
        "import", "files", str(undated), "--provider", "Acme", "--date", "2019-04-01", "--quiet").output
    other = tmp_path / "other.md"
    other.write_text(policy((4, "We sell your personal information to advertisers.")))
    clash = run("import", "files", str(other), "--provider", "Acme", "--date", "2019-04-01", "--url",
                "https://acme.example.com/privacy", "--quiet", ok=False).output
    assert "has the same time (20190401000000) and URL" in clash and len(history(run, "Acme")) == 1
    assert "not a git repository" in run("import", "ota", str(tmp_path), ok=False).output


def test_same_text_from_another_source_nearby_joins_the_version_a_real_edit_does_not(tracker_cli, tmp_path):
    run = tracker_cli
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy())
    run("import", "ota", str(repo.path), "--quiet")
    restyled = tmp_path / "restyled.md"  # the same words; only case and punctuation differ
    restyled.write_text(policy((1, "We collect your name, email address, and billing details when you create an "
                                   "account with us")))
    run("import", "files", str(restyled), "--provider", "acme", "--date", "2021-01-20", "--quiet")
    versions = history(run, "Acme")
    assert len(versions) == 1 and [s["source"] for s in versions[0]["sources"]] == ["ota", "file"]
    edited = tmp_path / "edited.md"
    edited.write_text(policy((4, "We sell your personal information to advertisers.")))
    run("import", "files", str(edited), "--provider", "Acme", "--date", "2021-01-25", "--quiet")
    assert len(history(run, "Acme")) == 2


@pytest.mark.skipif(not OTA_BUNDLE.exists(), reason="the Open Terms Archive sample bundle (../shared/ota-versions) "
                                                    "is not beside the clone")
def test_real_open_terms_archive_versions_bundle(tracker_cli, tmp_path):
    run = tracker_cli
    clone = tmp_path / "dating-and-genai-versions"
    subprocess.run(["git", "clone", "-q", "--bare", str(OTA_BUNDLE), str(clone)], check=True)
    assert "bad revision" in run("import", "ota", str(clone), "--quiet", ok=False).output  # the bundle has no HEAD
    output = run("import", "ota", str(clone), "--rev", "main", "--quiet").output
    assert "read 235, imported 235 (13 technical)" in output and "skipped 0" in output
    listing = {row["provider"] for row in json.loads(run("list", "--json").output)}
    assert listing == {"Bardeen", "Bumble", "Claude.ai", "DeepSeek", "Hily", "LEX", "happn"}
    technical = json.loads(run("sql", "SELECT count(*) AS n FROM version_sources WHERE technical",
                               "--format", "json").output)[0]["n"]
    assert technical == 13
    assert "imported 0 (0 technical), already held 235" in run("import", "ota", str(clone), "--rev", "main",
                                                                  "--quiet").output
    shutil.rmtree(clone)


def test_a_run_killed_after_storing_records_is_finished_by_the_next_run(tracker_cli, sessions, citp_repo):
    """Killed between keeping the records and deriving: the rerun reads nothing again and
    derives what was left, ending as one uninterrupted run does."""
    from tracker.importers import Blobs, ImportStats, citp_records, store_records
    from tracker.store import RawStore

    run = tracker_cli
    with Blobs(citp_repo.path) as blobs:
        _, records = citp_records(citp_repo.path, blobs)
        store_records(sessions, RawStore(run.env["TRACKER_SNAPSHOTS_DIR"]), records, ImportStats())
    assert history(run, "example.com") == []
    output = run("import", "citp", str(citp_repo.path), "--quiet").output
    assert "imported 0 (0 technical), already held 5" in output and "2 documents derived, new versions 4" in output
    assert [v["first_timestamp"] for v in history(run, "example.com")] == ["20090301100005", "20130204064000"]


def test_digest_names_each_side_by_its_source_and_never_mails_technical_records(tracker_cli, tmp_path):
    run = tracker_cli
    run("subscribe", "reader@example.org", "--all-changes")
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy())
    ota_record(repo, "Acme", "technical", datetime(2021, 3, 1, 12),
               policy((7, "You may close your account at any time by writing to our support team.")))
    ota_record(repo, "Acme", "change", datetime(2021, 6, 1, 12),
               policy((7, "You may close your account at any time by writing to our support team."),
                      (4, "We sell your personal information to advertisers <b>and</b> data brokers.")))
    run("import", "ota", str(repo.path), "--quiet")
    run("digest", "--preview", str(tmp_path / "out"))
    text = next((tmp_path / "out").glob("*.eml")).read_text()
    html = next((tmp_path / "out").glob("*.html")).read_text()
    assert "version 2 -> 3" in text.replace("=\n", "") and "version 1 -> 2" not in text.replace("=\n", "")
    assert "Open Terms Archive after (2021-06-01)" in html
    assert "https://github.com/OpenTermsArchive/demo-snapshots/commit/" in html
    # The clause is a redline now ("We [-do not-] sell ..."): the tag is shown as text on both sides of "and".
    assert "&lt;b&gt;" in html and "&lt;/b&gt;" in html and "<b>and</b>" not in html


def test_0008_will_not_downgrade_while_imported_captures_would_lose_their_provenance(tracker_cli, tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from tracker.store.db import alembic_config, make_engine

    run = tracker_cli
    imported = tmp_path / "policy.md"
    imported.write_text(policy())
    run("import", "files", str(imported), "--provider", "Acme", "--date", "2020", "--quiet")
    engine = make_engine(run.env["TRACKER_DATABASE_URL"])
    with pytest.raises(RuntimeError, match="1 imported captures would lose their provenance"):
        command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT source FROM version_sources")).scalars().all() == ["file"]
    engine.dispose()
