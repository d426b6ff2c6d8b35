"""`tracker renormalize`: histories rebuilt from the raw store with no archive request;
changes recorded before keep their id, date and flag, and what only the re-derivation finds
is technical (never in a digest)."""

import pytest
from sqlalchemy import select

from tracker.archive import ArchiveServer
from tracker.store.models import Capture, Change, ClauseChange, Version

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

LEX_URL = "https://help.thisislex.app/article/51-privacy-policy"
OVERRIDE_FROM = "20221120123250"  # a `noise` capture of LEX, inside its second version


@pytest.fixture
def tracker(tracker_cli, sessions, test_corpus):
    """A CLI over a database backfilled from the test corpus, whose archive is then gone:
    the archive it points to afterwards only records requests."""
    env = tracker_cli.env

    def run(*args):
        return tracker_cli(*args).output

    with ArchiveServer(test_corpus) as archive:
        env["TRACKER_WAYBACK_URL"] = archive.url
        run("add", LEX_URL, "--provider", "LEX")
        run("add", "https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html", "--provider", "DeepSeek")
        run("backfill", "--quiet")
    with ArchiveServer(test_corpus) as recorder:
        env["TRACKER_WAYBACK_URL"] = recorder.url
        yield run, sessions, recorder


def history(sessions):
    """Each change as (id, created_at, technical, timestamp of the capture its version starts
    at, its clause changes), and each version's first capture and clause hash."""
    with sessions() as session:
        changes = session.execute(
            select(Change.id, Change.created_at, Change.technical, Capture.timestamp)
            .join(Version, Version.id == Change.to_version_id)
            .join(Capture, Capture.id == Version.first_capture_id)
            .order_by(Change.id)).all()
        clause_changes = {
            change_id: session.execute(
                select(ClauseChange.kind, ClauseChange.old_clause_id, ClauseChange.new_clause_id)
                .where(ClauseChange.change_id == change_id).order_by(ClauseChange.ordinal)).all()
            for change_id, *_ in changes}
        versions = session.execute(
            select(Version.document_id, Version.seq, Capture.timestamp, Version.clause_hash)
            .join(Capture, Capture.id == Version.first_capture_id).order_by(Version.document_id, Version.seq)).all()
    return [(*c, clause_changes[c[0]]) for c in changes], versions


def test_renormalize_rebuilds_the_same_history_keeping_ids_and_dates(tracker):
    run, sessions, recorder = tracker
    changes, versions = history(sessions)
    assert len(changes) >= 6 and not any(technical for _, _, technical, _, _ in changes)
    output = run("renormalize")
    assert "LEX / Privacy Policy: versions" in output and "new technical 0, gone 0" in output
    assert history(sessions) == (changes, versions)
    run("renormalize", "--provider", "LEX")
    assert history(sessions) == (changes, versions)
    assert recorder.requests == []


def test_changes_only_the_new_rules_produce_are_technical(tracker):
    run, sessions, recorder = tracker
    before, _ = history(sessions)
    run("override", "add", "LEX", "--remove", "#fullArticle > p:first-of-type", "--from", OVERRIDE_FROM)
    output = run("renormalize", "--provider", "LEX")
    assert "new technical 1" in output
    after, _ = history(sessions)
    technical = [c for c in after if c[2]]
    assert [c[3] for c in technical] == [OVERRIDE_FROM]
    kept = {c[0]: c[:4] for c in after if not c[2]}
    assert kept == {c[0]: c[:4] for c in before}  # same ids, dates and starting captures
    assert recorder.requests == []
    # The rule removed again: the extra version goes, and every other change is as before.
    run("override", "remove", "1")
    assert "gone 1" in run("renormalize", "--provider", "LEX")
    assert history(sessions)[0] == before
    assert recorder.requests == []
