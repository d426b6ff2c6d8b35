"""`--jobs N`: pages normalised ahead in worker processes, rows identical to one process's,
every row (tests/natural_rows.py), on SQLite and PostgreSQL. The references are runs with
one job; the pages are the corpora's and tests/data's real captures, through the loopback
archive. The log line of tracker.versions.parallel shows how many pages the workers gave
and how many were normalised again because the workers' guess of the navigation was wrong."""

import logging
import multiprocessing
import os
import re
import signal

import pytest
from corpora import DATA, register_corpora
from mail_world import World
from natural_rows import differences, dump

from tracker.archive import ArchiveServer, corpus_pages
from tracker.backfill import backfill
from tracker.store.db import open_database
from tracker.store.documents import find_documents
from tracker.store.rawstore import RawStore
from tracker.versions import Prefetch, rebuild, rebuild_plan
from tracker.wayback import ArchiveUnreachable, Pacer, WaybackClient

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

URL = "https://app.example/privacy"
TAKEN = re.compile(r"pages normalised ahead and taken: (\d+); normalised here: (\d+)")


def ahead(caplog) -> tuple[int, int]:
    """(pages the workers gave, pages normalised here) of the last run, from its log line."""
    found = [TAKEN.search(r.getMessage()) for r in caplog.records]
    found = [m for m in found if m]
    assert found, "no page was normalised ahead"
    return int(found[-1][1]), int(found[-1][2])


def test_backfill_with_two_jobs_writes_the_rows_of_one(database_url, corpus_sqlite_url, sample_corpus,
                                                       test_corpus, tracker_cli, caplog):
    caplog.set_level(logging.INFO, logger="tracker")
    with ArchiveServer(sample_corpus, test_corpus) as archive:
        tracker_cli.env["TRACKER_WAYBACK_URL"] = archive.url
        for corpus in (sample_corpus, test_corpus):
            for page in corpus_pages(corpus):
                for url in page.urls:
                    tracker_cli("add", url, "--provider", page.provider, "--document", page.document)
        output = tracker_cli("backfill", "--quiet", "--jobs", "2").output
    assert "LEX / Privacy Policy: listed" in output
    taken, here = ahead(caplog)
    assert taken > 30 and here == 0
    assert not differences(dump(corpus_sqlite_url), dump(database_url))


def test_renormalize_with_two_jobs_writes_the_rows_of_one(database_url, test_corpus, tracker_cli, tmp_path, caplog):
    """After an override edit, so that the rebuild makes a version and a technical change;
    the number of jobs from the `jobs` setting."""
    env = tracker_cli.env

    def renormalized(url, jobs):
        env["TRACKER_DATABASE_URL"], env["TRACKER_SNAPSHOTS_DIR"] = url, str(tmp_path / f"snapshots-{jobs}")
        tracker_cli("add", "https://help.thisislex.app/article/51-privacy-policy", "--provider", "LEX")
        tracker_cli("add", "https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html",
                    "--provider", "DeepSeek")
        tracker_cli("backfill", "--quiet")
        tracker_cli("override", "add", "LEX", "--remove", "#fullArticle > p:first-of-type", "--from",
                    "20221120123250")
        caplog.clear()
        env["TRACKER_JOBS"] = str(jobs)  # the setting; the backfill test gives the flag
        output = tracker_cli("renormalize").output
        assert "LEX / Privacy Policy: versions 8 -> 9, changes kept 7, new technical 1, gone 0" in output
        return dump(url)

    with ArchiveServer(test_corpus) as archive:
        env["TRACKER_WAYBACK_URL"] = archive.url
        expected = renormalized(f"sqlite:///{tmp_path / 'one.db'}", 1)
        caplog.set_level(logging.INFO, logger="tracker")
        got = renormalized(database_url, 2)
    assert ahead(caplog)[0] > 10
    assert not differences(expected, got)


def serve(archive, captures: dict[str, bytes]) -> None:
    for timestamp, body in captures.items():
        archive.add_capture(URL, timestamp, body)


def test_an_archive_stop_derives_what_was_downloaded_as_one_job_does(database_url, sample_corpus, tmp_path):
    """With workers a document is derived after the next one is downloaded; a run the archive
    stops in that download still derives the documents it holds, as one job does."""
    def stopped(server, url, jobs):
        register_corpora(url, sample_corpus)
        sessions = open_database(url)
        with sessions() as session:
            documents = find_documents(session)
        server.faults.clear()
        server.faults.add(kind="reset", times=100, path_prefix="/web/2013")  # onebox.com's 2013 capture
        with WaybackClient(server.url, cdx_interval=0, capture_interval=0, backoff=0.01, retries=1,
                           pacer=Pacer()) as client, pytest.raises(ArchiveUnreachable):
            backfill(sessions, client, RawStore(tmp_path / f"snapshots-{jobs}"), documents, jobs=jobs)
        sessions.kw["bind"].dispose()
        return dump(url)

    with ArchiveServer(sample_corpus) as server:  # one server: its address is in the failed capture's error
        expected = stopped(server, f"sqlite:///{tmp_path / 'one.db'}", 1)
        got = stopped(server, database_url, 2)
    assert any("avoxi" in row for row in expected["version"])  # the first document, derived
    assert not differences(expected, got)


def backfilled(url, tmp_path, archive, inbox, jobs):
    world = World(url, tmp_path, archive, inbox.port)
    world.track((URL, "app.example"))
    world.backfill(jobs=jobs)
    world.sessions.kw["bind"].dispose()
    return dump(url)


MENU = "".join(f'<li><a href="/{n}">{n.title()} - our product</a></li>' for n in ("chat", "search", "agents", "pricing"))


def page(title: str, paragraphs: list[str], menu: bool = False) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><div>{'<ul>' + MENU + '</ul>' if menu else ''}"
            f"<h1>{title}</h1>{body}</div></body></html>").encode()


SHOP = page("Shop", [f"Buy our shoes today, model {n}: free shipping on every order over fifty euros, and returns "
                     "are free for thirty days." for n in range(12)], menu=True)


def summary_with_menu() -> bytes:
    """happn's summary page served before its policy (tests/data/pages), with a menu at the
    top of its content."""
    text = (DATA / "pages" / "happn-20231002003240.html").read_text()
    heading = text.rfind("<h", 0, text.index("Privacy basics by happn", text.index("<body")))
    return (text[:heading] + f"<ul>{MENU}</ul>" + text[heading:]).encode()


def happn_policy() -> bytes:
    return (DATA / "pages" / "happn-20230303183230.html").read_bytes()


def happn_policy_with_menu() -> bytes:
    """The policy with the menu inside its content, which only the memory of menus drops."""
    text = happn_policy().decode()
    headings = [m.start() for m in re.finditer(r"<h[23][ >]", text)]
    middle = headings[len(headings) // 2]
    return (text[:middle] + f"<ul>{MENU}</ul>" + text[middle:]).encode()


# Histories where the workers' guess of the navigation is wrong for the last page: they guess
# that every page normalised to a policy is placed, and remember its menus. Normalised with
# that guess, the last page would lose the menu in its content, a change one job records.
MISSES = {
    # a summary page with a menu starts the history until the policy re-judges it: its menu
    # is forgotten, which the workers cannot know
    "first page re-judged": {"20230101000000": summary_with_menu,
                             "20230303183230": happn_policy,
                             "20230401000000": happn_policy_with_menu},
    # a shop page with a menu between two captures of the policy: another page, never placed,
    # so its menu is not remembered
    "another page between": {"20240101000000": happn_policy, "20240201000000": lambda: SHOP,
                             "20240301000000": happn_policy_with_menu},
}


@pytest.mark.parametrize("history", MISSES)
def test_a_wrong_guess_of_the_navigation_still_gives_the_rows_of_one_job(history, database_url, tmp_path,
                                                                          archive, inbox, caplog):
    serve(archive, {stamp: body() for stamp, body in MISSES[history].items()})
    expected = backfilled(f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one", archive, inbox, 1)
    caplog.set_level(logging.INFO, logger="tracker")
    got = backfilled(database_url, tmp_path / "two", archive, inbox, 2)
    assert not differences(expected, got)
    assert ahead(caplog)[1] >= 1  # at least one page normalised again
    assert len(expected["version"]) == 2 and any("another page" in row for row in expected["capture"])


def test_an_unreadable_capture_is_judged_by_the_worker_as_here(database_url, tmp_path, archive, inbox, caplog):
    """The normalizer's error is a result like any other: the worker hands it over."""
    serve(archive, {"20200101000000": happn_policy(), "20210101000000": bytes(range(32)) * 200,
                    "20220101000000": happn_policy_with_menu()})
    expected = backfilled(f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one", archive, inbox, 1)
    caplog.set_level(logging.INFO, logger="tracker")
    got = backfilled(database_url, tmp_path / "two", archive, inbox, 2)
    assert not differences(expected, got)
    assert any("unreadable: body is binary" in row for row in expected["capture"])
    assert ahead(caplog) == (3, 0)


def policy(version: int, paragraphs: int = 3000, words: int = 1) -> bytes:
    """A generated policy of about 400 KB (by default), a few clauses different in each version."""
    body = "".join(f"<p>Clause {n}: {'we keep the personal information ' * words}of case {n} for {n % 12 + 1} months"
                   f"{' and then delete it' if n % 500 == version else ''}.</p>" for n in range(paragraphs))
    return f"<html><body><main><h1>Privacy Policy</h1>{body}</main></body></html>".encode()


def document_id(sessions) -> int:
    with sessions() as session:
        return find_documents(session)[0].id


def test_a_killed_worker_leaves_the_rows_of_one_job(database_url, tmp_path, archive, inbox, caplog):
    """The worker is killed before it gives anything: every page is normalised here, with
    one line saying so, and the rebuild writes what it wrote before."""
    serve(archive, {f"20{10 + n}0101000000": policy(n) for n in range(6)})  # several chunks of pages
    before = backfilled(database_url, tmp_path, archive, inbox, 1)
    sessions, raw = open_database(database_url), RawStore(tmp_path / "snapshots")
    document = document_id(sessions)
    caplog.set_level(logging.INFO, logger="tracker")
    with Prefetch(raw, jobs=2) as pages:
        with sessions() as session:
            pages.plan(rebuild_plan(session, raw, document))
        workers = multiprocessing.active_children()
        assert workers
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
        stats = rebuild(sessions, raw, document, technical=True, pages=pages)
    sessions.kw["bind"].dispose()
    assert stats.versions_after == stats.versions_before == 6 and stats.changes_new == 0
    assert any(r.getMessage().startswith("normalising ahead stopped (") for r in caplog.records)
    assert not differences(before, dump(database_url))


@pytest.mark.parametrize("command", ["backfill", "renormalize"])
@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", ""])
def test_jobs_must_be_a_whole_number_of_at_least_one(tracker_cli, command, value):
    result = tracker_cli(command, f"--jobs={value}", ok=False)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: bad setting jobs = {value!r} (command-line flag --jobs): ")
    assert lines[0].endswith("; expected a whole number at least 1 and at most 256")


@pytest.mark.parametrize("value, message", [
    ("0", "bad setting jobs = '0' (environment variable TRACKER_JOBS): out of range; "
          "expected a whole number at least 1 and at most 256"),
    ("many", "bad setting jobs = 'many' (environment variable TRACKER_JOBS): not a whole number; "
             "expected a whole number at least 1 and at most 256")])
def test_the_jobs_setting_is_checked(tracker_cli, value, message):
    tracker_cli.env["TRACKER_JOBS"] = value
    result = tracker_cli("renormalize", ok=False)
    assert result.output.strip() == f"Error: {message}"


def test_a_page_of_a_million_characters_is_normalised_by_the_recording_process(database_url, tmp_path, archive,
                                                                             inbox, caplog):
    """Held beside the page being recorded, it would double the peak: the worker passes it
    by. A page as large in bytes but mostly script comes from the worker."""
    large = policy(2, paragraphs=1200, words=25)
    scripted = policy(3, paragraphs=1100, words=25).replace(  # the same clauses, less than a million characters
        b"<body>", b"<body><script>" + b"var padding = 0;\n" * 10_000 + b"</script>")
    assert len(large) > 1_000_000 and len(scripted) > 1_000_000
    serve(archive, {"20200101000000": policy(1, paragraphs=1200, words=25), "20210101000000": large,
                    "20220101000000": scripted})
    expected = backfilled(f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one", archive, inbox, 1)
    caplog.set_level(logging.INFO, logger="tracker")
    got = backfilled(database_url, tmp_path / "two", archive, inbox, 2)
    assert not differences(expected, got)
    assert ahead(caplog) == (1, 2)
