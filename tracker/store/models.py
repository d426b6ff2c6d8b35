"""The database schema (SQLAlchemy 2.x). The database is the product's interface:
docs/schema.md documents every table; db/migrations creates them.

Storage grows with what changed, not with versions x clauses: a clause's text is stored once
(`clause`), and `version_clause` holds *occurrences*: a clause at a sort position within a
document, valid from version `first_seq` through `last_seq` (NULL = still current). A new
version only adds occurrences for the clauses that were added, modified or moved, and closes
the ones that ended.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class JsonText(TypeDecorator):
    """A JSON value stored as text on every database (the views and partial indexes read the
    text: '[]' is an empty list). Python code sees lists and dicts, never the encoding."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class CaptureState(StrEnum):
    """What became of a listed capture (capture.state); see Capture."""

    PENDING = "pending"
    FETCHED = "fetched"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"


class SaveState(StrEnum):
    """How a Save Page Now request stands (save_request.state); see SaveRequest."""

    PENDING = "pending"
    SAVED = "saved"
    FAILED = "failed"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Provider(Base):
    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    documents: Mapped[list[Document]] = relationship(back_populates="provider")


class Document(Base):
    """A tracked policy page of a provider; its URL may change over time (document_url)."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    name: Mapped[str] = mapped_column(String(200), default="Privacy Policy")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The scheduler's state (tracker.jobs): NULL next_check_at means due now.
    check_interval_hours: Mapped[float] = mapped_column(Float, default=24.0, server_default="24")
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Where a check looks (tracker.config.SOURCES): `wayback` (the archive), `live` (the page
    # itself, tracker.live) or `both`.
    source: Mapped[str] = mapped_column(String(8), default="wayback", server_default="wayback")
    provider: Mapped[Provider] = relationship(back_populates="documents")
    urls: Mapped[list[DocumentUrl]] = relationship(
        back_populates="document", order_by="DocumentUrl.id"
    )


class DocumentUrl(Base):
    __tablename__ = "document_url"
    __table_args__ = (UniqueConstraint("document_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    url: Mapped[str] = mapped_column(String(2000))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    document: Mapped[Document] = relationship(back_populates="urls")


class Capture(Base):
    """One CDX row of a document's URL, and what became of it.

    `state`: pending (listed, not downloaded), fetched (bytes in the raw store under
    `raw_digest`), failed (`error`, `attempts`; retried on a later run), unsupported (not
    HTML, kept but not normalised). A fetched capture that is not the policy (error page,
    bot wall) has `invalid_reason` and no version.

    `source` says where the text came from: `wayback` (a CDX row), `live` (the page fetched by
    a live check, tracker.live), or an imported record (`file`, `citp` for a
    Princeton-Leuven-layout repository, `ota` for an Open Terms Archive versions repository;
    tracker/importers); the last two are born `fetched`, their bytes in the raw store like
    any capture's, so that one derivation orders every source into one timeline.
    `source_ref` locates the record (a file path, `dataset@commit:path`; for `live` the URL
    that answered, after redirects), `source_url` links to it (the Wayback `id_` capture it
    was extracted from, an OTA snapshot commit; for `live` the archive's capture Save Page
    Now made of it), and `technical` marks a record its source calls a re-extraction of
    unchanged text.
    """

    __tablename__ = "capture"
    __table_args__ = (
        UniqueConstraint("document_id", "timestamp", "url", "source"),
        Index("ix_capture_state", "state"),
        Index("ix_capture_source_ref", "source", "source_ref"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    timestamp: Mapped[str] = mapped_column(String(14))
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    urlkey: Mapped[str] = mapped_column(String(2000))
    mimetype: Mapped[str] = mapped_column(String(200))
    statuscode: Mapped[str] = mapped_column(String(3))
    cdx_digest: Mapped[str] = mapped_column(String(64), index=True)
    length: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16), default=CaptureState.PENDING)
    raw_digest: Mapped[str | None] = mapped_column(String(64))
    served_timestamp: Mapped[str | None] = mapped_column(String(14))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    invalid_reason: Mapped[str | None] = mapped_column(Text)
    # What the normalizer left out of the policy and why (Page.scope()); NULL: the whole page.
    scope: Mapped[dict | None] = mapped_column(JsonText)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="wayback", server_default="wayback")
    source_ref: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    technical: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Version(Base):
    """A distinct clause sequence of a document, seen from `first_seen` to `last_seen`."""

    __tablename__ = "version"
    # first_seen: changes are listed by date, a page at a time (the web view's API and feeds).
    __table_args__ = (UniqueConstraint("document_id", "seq"),
                      Index("ix_version_first_seen", "first_seen",  # versions that start a step
                            sqlite_where=text("seq > 1"), postgresql_where=text("seq > 1")))
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    seq: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    # capture ids without a foreign key: capture.version_id already points here, and a
    # cycle of foreign keys would make the tables impossible to create in one pass.
    first_capture_id: Mapped[int] = mapped_column(Integer)
    last_capture_id: Mapped[int] = mapped_column(Integer)
    capture_count: Mapped[int] = mapped_column(Integer, default=1)
    clause_hash: Mapped[str] = mapped_column(String(64))
    clause_count: Mapped[int] = mapped_column(Integer)
    word_count: Mapped[int] = mapped_column(Integer)
    normalizer_version: Mapped[str] = mapped_column(String(20))
    # The date the policy itself states ("Last updated ..."), when it states one.
    effective_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The earlier version whose clause sequence this one repeats (a flip-flop of regional or
    # A/B variants, a reverted edit); no foreign key, as for the capture ids above.
    returns_to_id: Mapped[int | None] = mapped_column(Integer)


class Clause(Base):
    """Each distinct clause text, stored once (content-addressed by SHA-256 of the text)."""

    __tablename__ = "clause"
    id: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    categories: Mapped[list] = mapped_column(JsonText, default=list, server_default="[]")


class VersionClause(Base):
    """A clause occurrence: valid in versions first_seq..last_seq (NULL = current) of a document.

    Order within a version is `sort_key` (gapped integers, so an insertion between two
    clauses does not renumber the others).
    """

    __tablename__ = "version_clause"
    __table_args__ = (
        Index("ix_version_clause_doc_seq", "document_id", "first_seq", "last_seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    sort_key: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[list] = mapped_column(JsonText)  # enclosing heading texts
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int | None] = mapped_column(Integer)


class Change(Base):
    """The step from one version to the next, with counts of its clause changes."""

    __tablename__ = "change"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), unique=True)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    modified: Mapped[int] = mapped_column(Integer)
    moved: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    split: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    merged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rewritten: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # clause changes that alter meaning vs only case, punctuation, a date stamp, numbering
    material_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cosmetic_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    material: Mapped[bool] = mapped_column(Boolean)
    technical: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ClauseChange(Base):
    """One clause-level change; unchanged clauses are not stored (see version_clause)."""

    __tablename__ = "clause_change"
    __table_args__ = (
        UniqueConstraint("change_id", "ordinal"),
        # From a clause (a full-text match) to its changes, their kinds and steps from the index alone.
        Index("ix_clause_change_new_clause", "new_clause_id", "kind", "change_id"),
        # Partial indexes of the rows with a non-empty list: the unnest views read only those.
        Index("ix_clause_change_flags", "flags",
              sqlite_where=text("flags <> '[]'"), postgresql_where=text("flags <> '[]'")),
        Index("ix_clause_change_categories", "categories",
              sqlite_where=text("categories <> '[]'"), postgresql_where=text("categories <> '[]'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # reading order within the change
    kind: Mapped[str] = mapped_column(String(16))  # a tracker.diff.Kind but unchanged
    old_clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"))
    new_clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"))
    old_position: Mapped[int | None] = mapped_column(Integer)
    new_position: Mapped[int | None] = mapped_column(Integer)
    old_section: Mapped[list | None] = mapped_column(JsonText)
    new_section: Mapped[list | None] = mapped_column(JsonText)
    similarity: Mapped[float] = mapped_column(Float)
    word_ops: Mapped[list | None] = mapped_column(JsonText)  # [[op, text], ...] for modified
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    # split/merged: every clause of the many side, in order (clause ids); rewritten: both sides
    old_clause_ids: Mapped[list | None] = mapped_column(JsonText)
    new_clause_ids: Mapped[list | None] = mapped_column(JsonText)
    flags: Mapped[list] = mapped_column(JsonText, default=list, server_default="[]")
    categories: Mapped[list] = mapped_column(JsonText, default=list, server_default="[]")
    cosmetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Subscriber(Base):
    __tablename__ = "subscriber"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON: providers, categories
    frequency: Mapped[str] = mapped_column(String(16), default="daily")
    all_changes: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Digest(Base):
    """The outbox: a digest is recorded before it is sent, and is unique per subscriber and period."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("subscriber_id", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"))
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    message_id: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The rendered RFC 5322 message, so a retry sends exactly the same bytes (tracker.notify.mailer).
    subject: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    change_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)


class JobRun(Base):
    """One run of a scheduled job: a document's check, or a digest run (tracker.jobs); in
    distributed mode, every job a worker runs (`queue_job_id`: its procrastinate job).

    `outcome`: running, ok, failed, or interrupted (the daemon or the worker died or stopped
    mid-run; the work it left is picked up by the next run). `counts` is a JSON object.
    """

    __tablename__ = "job_run"
    __table_args__ = (
        Index("ix_job_run_job_started", "job", "started_at"),
        Index("ix_job_run_document", "document_id", "started_at"),
        Index("ix_job_run_queue_job", "queue_job_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))  # check | digest | backfill | derive | renormalize | import
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)


class RequestPace(Base):
    """The politeness budget every worker shares (tracker.jobs.budget): per budget (`archive`,
    `live:<site>`), when each kind of request last went out and the pause in force.

    Times are the database server's clock in epoch seconds, so machines with skewed clocks
    still agree. `last_at` maps a request kind (cdx, capture, a site) to the end of its last
    request; `pause_*`: a 429 or a refused connection paused every worker until then.
    """

    __tablename__ = "request_pace"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_at: Mapped[dict] = mapped_column(JsonText, default=dict, server_default="{}")
    pause_started: Mapped[float | None] = mapped_column(Float)
    pause_until: Mapped[float | None] = mapped_column(Float)
    pause_reason: Mapped[str | None] = mapped_column(Text)


class LivePage(Base):
    """A document's page as its last live check found it (tracker.live): the validators the
    next request is made conditional with, and what `tracker status` says.

    `outcome` is one line ("304 not modified", "200: new capture", "robots.txt disallows
    …", "HTTP 503"); `blocked_since` is set while the page refuses the tracker (a 403, a bot
    wall, robots.txt), which is reported once, not at every tick; `retry_at`: no request to
    the page before it (a blocked page waits days, a 429 its Retry-After).
    """

    __tablename__ = "live_page"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    blocked_since: Mapped[datetime | None] = mapped_column(DateTime)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime)


class SaveRequest(Base):
    """A Save Page Now request for the version a live capture started: the archive's own
    capture of that text, public evidence anyone can check (tracker.live.saves).

    `state`: pending (`job_id` NULL: to submit; else the job submitted at `submitted_at`, to
    poll), saved (`timestamp` and `archive_url` of the archive's capture), failed (`error`,
    after the last attempt); a request that failed or was rate-limited waits until
    `next_attempt_at`, longer each time. `last_request_at` spaces requests to the archive.
    """

    __tablename__ = "save_request"
    __table_args__ = (Index("ix_save_request_state", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id"), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(16), default=SaveState.PENDING)
    job_id: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_request_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    timestamp: Mapped[str | None] = mapped_column(String(14))
    archive_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class NormalizerOverride(Base):
    """A CSS `select`/`remove` rule for a document's captures dated within
    [valid_from, valid_until) (NULL = open-ended), for the rare page the selector-free
    normalizer gets wrong (tracker.store.overrides). Selectors are JSON lists of CSS selector
    strings or Open Terms Archive range objects ({"startBefore": ..., "endBefore": ...})."""

    __tablename__ = "normalizer_override"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    select_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    remove_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(300), default="manual", server_default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
