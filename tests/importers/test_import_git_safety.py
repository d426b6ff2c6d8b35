"""What a person or a repository gives `tracker import citp|ota` never reaches git as an
option or as pathspec magic, and a repository's own configuration runs no program: a
revision like `--output=FILE` is refused without touching FILE, a service or domain is
matched literally, and a signed commit does not make `git log` run the repository's
`gpg.program`. Real git repositories in tmp folders, read by the real git."""

import subprocess
from datetime import datetime

import pytest
from git_repos import Repo, citp_snapshot, ota_record, policy

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def refused(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error:"), result.output
    return lines[0]


@pytest.fixture
def ota_repo(tmp_path):
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy())
    ota_record(repo, "Other", "first", datetime(2021, 2, 5, 12), policy())
    return repo


@pytest.mark.parametrize("dataset", ["ota", "citp"])
@pytest.mark.parametrize("form", ["--rev={}", "--rev {}"])
def test_a_revision_that_looks_like_an_option_truncates_nothing(tracker_cli, ota_repo, tmp_path, dataset, form):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    option, _, value = form.format(f"--output={victim}").partition(" ")
    args = [option, value] if value else [option]
    line = refused(tracker_cli("import", dataset, str(ota_repo.path), *args, "--quiet", ok=False))
    assert "bad revision" in line and victim.read_text() == "precious\n"


def test_a_service_is_matched_literally_not_as_pathspec_magic(tracker_cli, ota_repo):
    output = tracker_cli("import", "ota", str(ota_repo.path), "--service", ":(exclude)Acme", "--quiet").output
    assert "read 0, imported 0" in output
    assert tracker_cli("list", "--json").output.strip() == "[]"


def test_a_terms_type_with_wildcards_reads_only_itself(tracker_cli, tmp_path):
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Acme", "first", datetime(2021, 1, 5, 12), policy(), terms_type="Privacy E Policy")
    ota_record(repo, "Acme", "first", datetime(2021, 2, 5, 12), policy(), terms_type="Privacy [EU] Policy")
    output = tracker_cli("import", "ota", str(repo.path), "--terms-type", "Privacy [EU] Policy", "--quiet").output
    assert "read 1, imported 1" in output


def test_names_that_cannot_be_a_path_are_refused_in_one_line(tracker_cli, ota_repo, tmp_path):
    domains = tmp_path / "domains.txt"
    domains.write_text("example.com\nexa\x00mple.org\n")
    assert "not a domain" in refused(
        tracker_cli("import", "citp", str(ota_repo.path), "--domains-file", str(domains), ok=False))
    assert "not a service" in refused(tracker_cli("import", "ota", str(ota_repo.path), "--service", "", ok=False))
    assert "not a terms type" in refused(
        tracker_cli("import", "ota", str(ota_repo.path), "--terms-type", "a\nb", ok=False))


def test_the_repository_configuration_runs_no_program_on_a_signed_commit(tracker_cli, tmp_path):
    """`log.showSignature` in the repository's config would make `git log` verify each
    signed commit with the repository's `gpg.program`: any program."""
    repo = Repo(tmp_path / "pl")
    citp_snapshot(repo, "example.com", "http://example.com/privacy", datetime(2009, 3, 1), "Privacy", policy())
    unsigned = repo.git("cat-file", "commit", "HEAD")
    header, _, message = unsigned.partition("\n\n")
    signed = f"{header}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\n{message}"
    commit = subprocess.run(["git", "-C", str(repo.path), "hash-object", "-t", "commit", "-w", "--stdin"],
                            input=signed, capture_output=True, text=True, check=True).stdout.strip()
    repo.git("update-ref", "refs/heads/main", commit)
    marker = tmp_path / "ran"
    program = tmp_path / "gpg"
    program.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    program.chmod(0o755)
    repo.git("config", "log.showSignature", "true")
    repo.git("config", "gpg.program", str(program))
    subprocess.run(["git", "-C", str(repo.path), "log", "-1", "--format=%H"], capture_output=True, check=True)
    assert marker.exists()  # the trap is real: plain `git log` runs it
    marker.unlink()
    assert "imported 1" in tracker_cli("import", "citp", str(repo.path), "--quiet").output
    assert not marker.exists()
