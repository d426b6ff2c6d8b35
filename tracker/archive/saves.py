"""Save Page Now 2 on the local archive: a save fetches the page over HTTP and becomes a
capture that the CDX index lists and replay serves, as on the real archive.

- `POST /save` (form `url=…`, header `Authorization: LOW <access>:<secret>`): a job, answered
  `{"url", "job_id"}`; without the header (or with other keys than `keys`, when set): 401.
- `GET /save/status/<job_id>` (or `POST /save/status` with `job_id=…`): `{"status":
  "pending"}` for the first `pending_polls` polls (the real archive works for seconds to
  minutes), then the page is fetched and the answer is `{"status": "success", "timestamp",
  "original_url"}`, or `{"status": "error", "status_ext", "message"}` when the page did not
  answer 200 (`error:http-404`) or could not be reached (`error:unreachable`).

Saves are stamped by `clock` (14 digits; default: now, UTC), which a bench moves with its
simulated time; a second save of a URL within the same second takes the next free second.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote

import requests

from tracker.archive.index import Response

FETCH_TIMEOUT = 30.0
SAVER_AGENT = "Mozilla/5.0 (compatible; archive.org_bot; local replay)"


STAMP = "%Y%m%d%H%M%S"


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime(STAMP)


@dataclass
class _Job:
    url: str
    polls_left: int
    answer: dict | None = None  # once the save is done


class SaveJobs:
    """The jobs of the archive's Save Page Now; `add_capture(url, timestamp, body, mimetype=)`
    files a saved page in the archive's index."""

    def __init__(self, add_capture: Callable[..., object], held: Callable[[str, str], bool]) -> None:
        self._add_capture = add_capture
        self._held = held  # whether the index holds a capture of (url, timestamp)
        self.keys: tuple[str, str] | None = None  # the account's keys; None: any LOW keys
        self.pending_polls = 1
        self.clock: Callable[[], str] = utc_timestamp
        self.submitted: list[str] = []  # every URL submitted, in order (a test's witness)
        self._jobs: dict[str, _Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def respond(self, method: str, path: str, headers, form: bytes | None) -> Response:
        fields = {k: v[0] for k, v in parse_qs((form or b"").decode("utf-8", "replace")).items()}
        if path == "/save" and method == "POST":
            if not self._authorized(headers.get("Authorization", "")):
                return _json(401, {"message": "You need to be logged in to use Save Page Now."})
            return self._submit(fields.get("url", "").strip())
        if path.startswith("/save/status/") and method == "GET":
            return self._status(unquote(path.removeprefix("/save/status/")))
        if path == "/save/status" and method == "POST":
            return self._status(fields.get("job_id", ""))
        return _json(404, {"status": "error", "message": f"no such endpoint: {method} {path}"})

    def _authorized(self, header: str) -> bool:
        scheme, _, keys = header.partition(" ")
        access, colon, secret = keys.strip().partition(":")
        if scheme != "LOW" or not colon or not access or not secret:
            return False
        return self.keys is None or (access, secret) == self.keys

    def _submit(self, url: str) -> Response:
        if not url.startswith(("http://", "https://")):
            return _json(200, {"status": "error", "status_ext": "error:invalid-url-syntax",
                               "message": f"Invalid URL syntax: {url!r}"})
        with self._lock:
            job_id = "spn2-" + hashlib.sha1(f"{next(self._ids)} {url}".encode()).hexdigest()
            self._jobs[job_id] = _Job(url, self.pending_polls)
            self.submitted.append(url)
        return _json(200, {"url": url, "job_id": job_id})

    def _status(self, job_id: str) -> Response:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return _json(200, {"status": "error", "status_ext": "error:not-found",
                                   "message": f"Job {job_id!r} not found."})
            if job.polls_left > 0:
                job.polls_left -= 1
                return _json(200, {"status": "pending", "job_id": job_id, "resources": []})
        if job.answer is None:
            job.answer = {"job_id": job_id, **self._save(job.url)}
        return _json(200, job.answer)

    def _save(self, url: str) -> dict:
        """Fetch the page as the archive's crawler would and file it (a 200 only, as SPN2
        does by default)."""
        try:
            with requests.get(url, timeout=FETCH_TIMEOUT, headers={"User-Agent": SAVER_AGENT}) as response:
                status, body = response.status_code, response.content
                mimetype = (response.headers.get("Content-Type") or "text/html").split(";")[0].strip()
        except requests.RequestException as exc:
            return {"status": "error", "status_ext": "error:unreachable",
                    "message": f"Couldn't reach {url} ({type(exc).__name__})."}
        if status != 200:
            return {"status": "error", "status_ext": f"error:http-{status}",
                    "message": f"The page answered HTTP {status}."}
        timestamp = self.clock()
        while self._held(url, timestamp):  # one capture a second per URL, as the archive's timestamps allow
            timestamp = (datetime.strptime(timestamp, STAMP) + timedelta(seconds=1)).strftime(STAMP)
        self._add_capture(url, timestamp, body, mimetype=mimetype)
        return {"status": "success", "timestamp": timestamp, "original_url": url, "duration_sec": 0.0}


def _json(status: int, answer: dict) -> Response:
    return Response(status, json.dumps(answer).encode(), [("Content-Type", "application/json")])
