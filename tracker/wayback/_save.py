"""Save Page Now 2 (SPN2): ask the archive to capture a page now, then ask how the job went.

The Internet Archive's "Save Page Now 2 Public API Docs": `POST /save` with `url=…` and the
header `Authorization: LOW <access key>:<secret>` answers `{"url", "job_id"}` (or
`{"status": "error", "status_ext", "message"}`); `GET /save/status/<job_id>` answers
`{"status": "pending"}` while the archive works, then `{"status": "success", "timestamp",
"original_url"}` or `{"status": "error", "status_ext", "message"}`. An account may start 12
captures a minute; a 429 says slow down.

One request per call, never a sleep or a retry here: the caller (tracker.live.saves) spaces
requests and retries them across the daemon's ticks, so that a save never holds up a check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import requests

from tracker.wayback._client import read_body
from tracker.wayback.exceptions import ArchiveUnreachable, RateLimited, SaveFailed

ANSWER_LIMIT = 1_000_000  # a status answer lists the page's resources: JSON, never this large
_TIMESTAMP = re.compile(r"\d{14}")


@dataclass(frozen=True)
class SaveStatus:
    """How a save job stands: `pending`, `success` (the capture's `timestamp` and the URL it
    holds) or `error` (why)."""

    state: str
    timestamp: str | None = None
    original_url: str | None = None
    error: str | None = None


class SavePageNow:
    """The SPN2 endpoints of the archive at `base_url`, with an account's S3 keys."""

    def __init__(self, base_url: str, access_key: str, secret: str, *, timeout: float = 60.0,
                 user_agent: str = "policy-tracker") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json",
                                     "Authorization": f"LOW {access_key}:{secret}"})
        self.request_count = 0

    @classmethod
    def from_config(cls, config) -> SavePageNow:
        assert config.spn_access_key and config.spn_secret  # callers ask config.save_page_now first
        return cls(config.wayback_url, config.spn_access_key, config.spn_secret, timeout=config.timeout,
                   user_agent=config.user_agent)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SavePageNow:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, url: str) -> str:
        """Start a capture of `url`; its job id."""
        answer = self._call("POST", "/save", {"url": url, "skip_first_archive": "1"})
        job_id = answer.get("job_id")
        if isinstance(job_id, str) and job_id.strip():
            return job_id.strip()
        raise SaveFailed(f"Save Page Now did not start a capture of {url}: {_reason(answer)}")

    def status(self, job_id: str) -> SaveStatus:
        answer = self._call("GET", f"/save/status/{quote(job_id, safe='')}")
        state = answer.get("status")
        if state == "pending":
            return SaveStatus("pending")
        timestamp = answer.get("timestamp")
        if state == "success" and isinstance(timestamp, str) and _TIMESTAMP.fullmatch(timestamp):
            original = answer.get("original_url")
            return SaveStatus("success", timestamp, original if isinstance(original, str) else None)
        return SaveStatus("error", error=_reason(answer))

    def capture_url(self, timestamp: str, url: str) -> str:
        """The address people read a capture at (the archive's own view, not `id_`)."""
        return f"{self.base_url}/web/{timestamp}/{url}"

    def _call(self, method: str, path: str, form: dict[str, str] | None = None) -> dict:
        self.request_count += 1
        try:
            response = self.session.request(method, self.base_url + path, data=form, timeout=self.timeout,
                                            allow_redirects=False, stream=True)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise ArchiveUnreachable(f"Save Page Now at {self.base_url} unreachable ({type(exc).__name__})") from None
        try:
            if response.status_code == 429:
                raise RateLimited("Save Page Now answered 429 Too Many Requests")
            if response.status_code in (401, 403):
                raise SaveFailed(f"Save Page Now refused the account's keys (HTTP {response.status_code})")
            body = read_body(response, ANSWER_LIMIT, "Save Page Now's answer")
            if response.status_code != 200:
                raise SaveFailed(f"Save Page Now answered HTTP {response.status_code}")
        finally:
            response.close()
        try:
            answer = json.loads(body)
        except ValueError:
            raise SaveFailed("Save Page Now answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise SaveFailed("Save Page Now answered JSON that is not an object")
        return answer


def _reason(answer: dict) -> str:
    """What an error answer says: its `status_ext` code and message, on one short line."""
    parts = [str(answer.get(key)) for key in ("status_ext", "message") if answer.get(key)]
    text = " ".join(": ".join(parts).split()) or "no reason given"
    return text[:300]
