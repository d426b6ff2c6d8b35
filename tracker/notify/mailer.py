"""The outbox: digests are recorded before they are sent and marked sent after.

A run first records a `pending` digest (with its rendered message) for every subscriber who
is due and has something to read, then sends every pending digest. A digest that fails to go
out stays pending with its error and attempt count and is sent, byte for byte the same
message, by the next run. The unique (subscriber, period_end) key and "the next digest starts
where the previous one ended" make re-running a run add and send nothing twice.

The one window left: a crash after the SMTP server accepted a message and before it was
marked sent resends it on the next run; its stable Message-ID lets mail clients see the
duplicate. Losing a digest would be worse than that.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import SMTP_SECURITY, Config
from tracker.notify import digest
from tracker.notify.exceptions import MailConfigError
from tracker.outputs import OutputFolder
from tracker.store.models import Digest, Subscriber, utcnow

log = logging.getLogger(__name__)

# A weekly subscriber is due when its last digest ended at least this long ago; the slack
# keeps a digest run that starts a little earlier than last week's on the same day.
WEEK = timedelta(days=7) - timedelta(hours=1)


@dataclass
class OutboxResult:
    created: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"created": self.created, "sent": self.sent, "failed": self.failed}

    def line(self) -> str:
        text = f"digests: {self.created} recorded, {self.sent} sent, {self.failed} failed"
        return text + (f" ({self.errors[0]})" if self.errors else "")


def run_outbox(sessions: sessionmaker[Session], config: Config, now: datetime | None = None,
               subscriber_id: int | None = None) -> OutboxResult:
    """Record what is due, then send everything pending (new and earlier failures); of one
    subscriber only when `subscriber_id` is given (a worker's digest job)."""
    result = OutboxResult()
    result.created = record_due(sessions, config, now or utcnow(), subscriber_id)
    send_pending(sessions, config, result, subscriber_id)
    return result


def is_due(session: Session, subscriber: Subscriber, end: datetime) -> bool:
    if subscriber.frequency != "weekly":
        return True
    previous = session.scalar(
        select(Digest.period_end).where(Digest.subscriber_id == subscriber.id)
        .order_by(Digest.period_end.desc()).limit(1)
    )
    return previous is None or end - previous >= WEEK


def due_contents(session: Session, config: Config, end: datetime,
                 subscriber_id: int | None = None) -> list[tuple[Subscriber, digest.DigestContent]]:
    """The digest each due subscriber would get now; subscribers with nothing new get none."""
    contents = []
    query = select(Subscriber).order_by(Subscriber.id)
    if subscriber_id is not None:
        query = query.where(Subscriber.id == subscriber_id)
    for subscriber in session.scalars(query):
        if not is_due(session, subscriber, end):
            continue
        start = digest.period_start(session, subscriber)
        if start >= end:
            continue
        content = digest.collect(session, subscriber, start, end, **_options(config))
        if content.changes:
            contents.append((subscriber, content))
    return contents


def contents_since(session: Session, config: Config, since: datetime,
                   end: datetime) -> list[tuple[Subscriber, digest.DigestContent]]:
    """The digest each subscriber would get for the changes recorded in (since, end]."""
    contents = []
    for subscriber in session.scalars(select(Subscriber).order_by(Subscriber.id)):
        content = digest.collect(session, subscriber, since, end, **_options(config))
        if content.changes:
            contents.append((subscriber, content))
    return contents


def _options(config: Config) -> dict:
    return {"wayback_url": config.wayback_url, "sender": config.smtp_from, "web_base_url": config.web_base_url,
            "max_clauses": config.digest_max_clauses}


def record_due(sessions: sessionmaker[Session], config: Config, now: datetime,
               subscriber_id: int | None = None) -> int:
    """Record a pending digest, with its rendered message, for each due subscriber."""
    end = now
    with sessions() as session:
        contents = due_contents(session, config, end, subscriber_id)
    created = 0
    for subscriber, content in contents:
        message = digest.build_message(content, config.smtp_from)
        try:
            with sessions.begin() as session:
                session.add(Digest(
                    subscriber_id=subscriber.id, period_start=content.period_start, period_end=end,
                    state="pending", message_id=content.message_id, subject=content.subject,
                    message=message.as_string(), change_count=content.clause_count, attempts=0,
                ))
        except IntegrityError:
            log.info("digest for %s ending %s already recorded", subscriber.email, end)
            continue
        created += 1
        log.info("digest recorded for %s: %d clause change(s)", subscriber.email, content.clause_count)
    return created


def send_pending(sessions: sessionmaker[Session], config: Config, result: OutboxResult,
                 subscriber_id: int | None = None) -> None:
    """Send every pending digest (of one subscriber) over one SMTP connection; failures stay pending."""
    query = (select(Digest.id, Subscriber.email, Digest.message)
             .join(Subscriber, Subscriber.id == Digest.subscriber_id)
             .where(Digest.state == "pending").order_by(Digest.id))
    if subscriber_id is not None:
        query = query.where(Digest.subscriber_id == subscriber_id)
    with sessions() as session:
        pending = session.execute(query).all()
    if not pending:
        return
    try:
        smtp = connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"cannot reach SMTP server {config.smtp_host}:{config.smtp_port}: {exc}"
        for digest_id, _, _ in pending:
            _failed(sessions, digest_id, error, result)
        return
    with smtp:
        for digest_id, email, message in pending:
            if message is None:  # recorded before digests kept their message (migration 0004)
                _failed(sessions, digest_id, "no stored message to send", result)
                continue
            try:
                smtp.sendmail(config.smtp_from, [email], message)
            except smtplib.SMTPServerDisconnected as exc:
                _failed(sessions, digest_id, f"SMTP server disconnected: {exc}", result)
                break
            except (OSError, smtplib.SMTPException) as exc:
                _failed(sessions, digest_id, f"SMTP refused the digest: {exc}", result)
                continue
            with sessions.begin() as session:
                row = session.get_one(Digest, digest_id)
                row.state, row.error = "sent", None
                row.attempts += 1
                row.sent_at = row.last_attempt_at = utcnow()
            result.sent += 1
            log.info("digest %d sent to %s", digest_id, email)


def _failed(sessions, digest_id: int, error: str, result: OutboxResult) -> None:
    with sessions.begin() as session:
        row = session.get_one(Digest, digest_id)
        row.attempts += 1
        row.error, row.last_attempt_at = error, utcnow()
    result.failed += 1
    result.errors.append(error)
    log.warning("digest %d not sent (stays pending): %s", digest_id, error)


def connect(config: Config) -> smtplib.SMTP:
    """An SMTP connection as configured: plain, STARTTLS or implicit TLS, with login if a
    user is set (the password only ever comes from TRACKER_SMTP_PASSWORD)."""
    security = config.smtp_security.lower()
    if security not in SMTP_SECURITY:
        raise MailConfigError(f"smtp_security must be one of {', '.join(SMTP_SECURITY)}, not {config.smtp_security!r}")
    if config.smtp_password and not config.smtp_user:
        raise MailConfigError("TRACKER_SMTP_PASSWORD is set but smtp_user is not")
    timeout = config.timeout
    smtp: smtplib.SMTP
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def preview(sessions: sessionmaker[Session], config: Config, directory: Path,
            now: datetime | None = None, since: datetime | None = None) -> list[Path]:
    """Write what `send` would send now, as .eml and .html files, without recording or
    sending anything: pending digests as stored, and the digests that would be recorded.
    With `since`: instead, the digest each subscriber would get for every change recorded
    after that date (history already backfilled, say), due or not."""
    out = OutputFolder(directory, make_parents=True)
    end = now or utcnow()
    with sessions() as session:
        if since is not None:
            messages = [(s.email, end, digest.build_message(c, config.smtp_from).as_string())
                        for s, c in contents_since(session, config, since, end)]
        else:
            pending = session.execute(
                select(Digest, Subscriber.email).join(Subscriber, Subscriber.id == Digest.subscriber_id)
                .where(Digest.state == "pending").order_by(Digest.id)
            ).all()
            messages = [(email, row.period_end, row.message or "") for row, email in pending]
            messages += [(s.email, end, digest.build_message(c, config.smtp_from).as_string())
                         for s, c in due_contents(session, config, end)]
    written = []
    for email, when, text in messages:
        stem = f"{re.sub(r'[^A-Za-z0-9@._-]', '_', email)}-{when:%Y%m%dT%H%M%S}"
        html_part = message_from_string(text, policy=policy.default).get_body(("html",))
        html = html_part.get_content() if html_part is not None else ""
        written += [out.write(f"{stem}.eml", text), out.write(f"{stem}.html", html)]
    return written
