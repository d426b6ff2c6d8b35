"""Distributed mode when things fail: a database connection that goes away, a job that keeps
failing (parked, shown by `tracker status`, run again by `tracker jobs retry`), and a store
that is not on PostgreSQL (one line)."""

import shutil

from click.testing import CliRunner
from corpora import SAMPLE_CORPUS, register_corpora
from worker_world import Proxy, Workers, jobs_left, queue_database, scalar, tracker, tracker_env, wait_for, workers_registered

from tracker.archive import ArchiveServer
from tracker.cli import main


def test_a_worker_whose_database_goes_away_waits_reconnects_and_goes_on(postgres_admin_engine, tmp_path):
    with queue_database(postgres_admin_engine) as url:
        register_corpora(url, SAMPLE_CORPUS)
        proxy = Proxy(url)
        with ArchiveServer(SAMPLE_CORPUS) as archive:
            env = tracker_env(proxy.url, tmp_path, archive.url)
            workers = Workers(env, tmp_path, 1)
            try:
                wait_for(lambda: workers_registered(url) == 1, workers, "the worker to start")
                proxy.cut()
                wait_for(lambda: "reconnecting in" in workers.output(), workers, "the worker to wait")
                tracker(tracker_env(url, tmp_path, archive.url), "backfill", "--queue")
                proxy.restore()
                wait_for(lambda: jobs_left(url) == 0, workers, "the queue to drain")
                assert workers.alive() == [0]
                workers.stop()
            finally:
                workers.close()
                proxy.cut()
            assert scalar(url, "SELECT count(*) FROM job_run WHERE job = 'backfill' AND outcome = 'ok'") == 3


def test_a_job_that_keeps_failing_is_parked_with_its_error_and_runs_again_on_retry(postgres_admin_engine, tmp_path):
    with queue_database(postgres_admin_engine) as url:
        register_corpora(url, SAMPLE_CORPUS)
        with ArchiveServer(SAMPLE_CORPUS) as archive:
            env = tracker_env(url, tmp_path, archive.url, job_attempts="2")
            workers = Workers(env, tmp_path, 1, "--queues", "backfill,derive")
            try:
                tracker(env, "backfill", "--queue", "--provider", "voip.com")
                wait_for(lambda: jobs_left(url) == 0, workers, "the backfill")
                snapshots = tmp_path / "snapshots"
                shutil.move(snapshots, tmp_path / "away")  # the raw store is gone: a rebuild cannot read it
                tracker(env, "renormalize", "--queue", "--provider", "voip.com")
                wait_for(lambda: scalar(url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 1,
                         workers, "the renormalize job to be parked")
                status = tracker(env, "status")
                assert "parked jobs (tracker jobs retry ID):" in status
                parked = status.split("parked jobs (tracker jobs retry ID):\n")[1].splitlines()
                assert len(parked) == 1
                assert parked[0].startswith("  job ")
                assert "renormalize voip.com / Privacy Policy after 2 attempt(s): RawStoreError: headers of raw capture" \
                    in parked[0]
                assert "renormalize: 0 / 0 / 1" in status
                assert "workers seen lately: 1" in status
                shutil.move(tmp_path / "away", snapshots)
                assert "1 job(s) queued again" in tracker(env, "jobs", "retry", "--all")
                wait_for(lambda: jobs_left(url) == 0, workers, "the retried job")
                workers.stop()
            finally:
                workers.close()
            assert "parked jobs: none" in tracker(env, "status")
            assert scalar(url, "SELECT outcome FROM job_run WHERE job = 'renormalize' ORDER BY id DESC LIMIT 1") == "ok"


def run_cli(env: dict, *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_distributed_mode_on_sqlite_is_one_line(tmp_path):
    env = {"TRACKER_CONFIG": str(tmp_path / "absent.toml"), "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    (tmp_path / "absent.toml").write_text("")
    for args in (["worker"], ["backfill", "--queue"], ["renormalize", "--queue"]):
        result = run_cli(env, *args)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and "needs PostgreSQL" in result.output, result.output
    result = run_cli({**env, "TRACKER_MODE": "distributed"}, "list")
    assert result.exit_code == 1
    assert result.output == ("Error: mode = 'distributed' needs a PostgreSQL database_url (the job queue lives "
                             f"there), not sqlite:///{tmp_path / 't.db'}\n")
