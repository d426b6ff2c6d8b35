"""Small git repositories in the two dataset layouts, built by the tests with the git CLI.

Princeton-Leuven: `a/ab/abc/<domain>.md`, one commit per snapshot dated at the crawl time,
JSON metadata in the message. Open Terms Archive versions: `<Service>/<Terms type>.md`, one
commit per record, its subject saying first record / change / technical upgrade.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

PROVENANCE = ("> *The following text is extracted and transformed from the {domain} privacy policy that was "
              "archived on {date}. Please check the [original snapshot on the Wayback Machine]"
              "(https://web.archive.org/web/{timestamp}id_/{quoted}) for the most accurate reproduction.*\n\n")

# A short policy in Markdown, nine clauses; `policy((index, text), ...)` edits some.
POLICY = [
    "## Information we collect",
    "We collect your name, email address and billing details when you create an account with us.",
    "We collect usage data such as the pages you visit and the features you use on our service.",
    "## How we share it",
    "We do not sell your personal information to anyone, and we never rent it to advertisers.",
    "We share your information with payment processors only to bill you for the service you ordered.",
    "## Your choices",
    "You may close your account at any time by writing to our support team at the address below.",
    "We keep billing records for seven years because the tax law of our country requires it.",
]


def policy(*edits: tuple[int, str]) -> str:
    lines = list(POLICY)
    for index, text in edits:
        lines[index] = text
    return "\n\n".join(lines) + "\n"


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.path), *args], check=True, capture_output=True,
                              text=True, env=_env(self._date if hasattr(self, "_date") else None)).stdout

    def commit(self, files: dict[str, str], message: str, when: datetime) -> str:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", name)
        self._date = when
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def _env(when: datetime | None) -> dict:
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    if when is not None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    return env


def citp_path(domain: str) -> str:
    return f"{domain[0]}/{domain[:2]}/{domain[:3]}/{domain}.md"


def citp_snapshot(repo: Repo, domain: str, url: str, when: datetime, title: str, body: str, *,
                  provenance: bool = True) -> str:
    """Commit one snapshot of `domain` as the corpus does: provenance line, `# title`, body."""
    timestamp = when.strftime("%Y%m%d%H%M%S")
    head = PROVENANCE.format(domain=domain, date=f"{when:%Y-%m-%d}", timestamp=timestamp,
                             quoted=url.replace("://", "%3A//")) if provenance else ""
    meta = {"domain": domain, "url": url, "archived": when.isoformat(),
            "wayback_url": f"https://web.archive.org/web/{timestamp}id_/{url}"}
    return repo.commit({citp_path(domain): f"{head}# {title}\n\n{body}"}, json.dumps(meta), when)


def ota_record(repo: Repo, service: str, kind: str, when: datetime, text: str,
               terms_type: str = "Privacy Policy") -> str:
    subject = {"first": "First record of", "change": "Record new changes of",
               "technical": "Apply technical or declaration upgrade on"}[kind]
    message = (f"{subject} {service} {terms_type}\n\nThis version was recorded after extracting from snapshot "
               f"https://github.com/OpenTermsArchive/demo-snapshots/commit/{hashlib.sha1(message_key(service, when)).hexdigest()}\n\n"
               "X-engine-version: 10.1.2")
    return repo.commit({f"{service}/{terms_type}.md": text}, message, when)


def message_key(service: str, when: datetime) -> bytes:
    return f"{service}{when.isoformat()}".encode()
