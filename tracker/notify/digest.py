"""Digests: which recorded changes a subscriber gets, and the e-mail that tells them.

A digest covers the changes recorded (`change.created_at`) after the subscriber's previous
digest and up to the digest's `period_end`, never a technical re-derivation, material
changes only unless the subscriber asked for all, filtered by provider and category.
Rendering is Jinja2 with autoescaping: policy text is untrusted and reaches the HTML part
only escaped (the redline comes from tracker.diff.redline, which escapes every piece).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_environment, select_autoescape
from jinja2.filters import do_wordwrap
from markupsafe import Markup
from sqlalchemy import false, select
from sqlalchemy.orm import Session, aliased

from tracker.diff import Kind, redline_html, redline_text, spaceless, wrap_lines
from tracker.notify.subscribers import Filters
from tracker.store import clause_change_records
from tracker.store.models import (
    Capture,
    Change,
    Digest,
    Document,
    Provider,
    Subscriber,
    Version,
)

# A first digest after a long backfill could list thousands of clauses; past this many per
# change the digest says how many more there are and where to read them.
MAX_CLAUSES_PER_CHANGE = 40
# The order the summary lists kinds in.
KINDS = (Kind.ADDED, Kind.REMOVED, Kind.MODIFIED, Kind.MOVED, Kind.SPLIT, Kind.MERGED, Kind.REWRITTEN)


@dataclass(frozen=True)
class ClauseItem:
    """One changed clause as the digest shows it."""

    kind: str
    section: tuple[str, ...]
    flags: tuple[str, ...]
    categories: tuple[str, ...]
    old_text: str | None
    new_text: str | None
    ops: tuple[tuple[str, str], ...]
    moved: bool

    @property
    def section_path(self) -> str:
        return " › ".join(self.section) if self.section else "(top of the page)"

    @property
    def redline_text(self) -> str:
        return redline_text(self.ops)

    @property
    def redline_html(self) -> Markup:
        return Markup(redline_html(self.ops))  # escapes every piece of policy text itself


SOURCE_LABELS = {"wayback": "archived", "file": "imported file", "citp": "Princeton-Leuven corpus",
                 "ota": "Open Terms Archive"}


@dataclass(frozen=True)
class ArchiveLink:
    """Where a version's text was seen: an archive capture, or an imported record."""

    timestamp: str
    url: str
    href: str  # "" for an imported file that names no origin
    source: str = "wayback"

    @property
    def label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def date(self) -> str:
        return f"{self.timestamp[:4]}-{self.timestamp[4:6]}-{self.timestamp[6:8]}"


@dataclass(frozen=True)
class ChangeItem:
    """One recorded change of one document: version `from_seq` -> `to_seq`."""

    change_id: int
    provider: str
    document: str
    from_seq: int
    to_seq: int
    before: ArchiveLink
    after: ArchiveLink
    clauses: tuple[ClauseItem, ...]
    hidden: int = 0  # clause changes past MAX_CLAUSES_PER_CHANGE
    returns_to: int | None = None  # `to_seq` repeats this earlier version's text


@dataclass(frozen=True)
class DigestContent:
    email: str
    frequency: str
    period_start: datetime
    period_end: datetime
    message_id: str
    changes: tuple[ChangeItem, ...]
    kind_counts: dict[str, int] = field(default_factory=dict)
    category_counts: dict[str, int] = field(default_factory=dict)

    @property
    def providers(self) -> list[str]:
        return list(dict.fromkeys(c.provider for c in self.changes))

    @property
    def clause_count(self) -> int:
        return sum(len(c.clauses) + c.hidden for c in self.changes)

    @property
    def subject(self) -> str:
        providers = self.providers
        names = ", ".join(providers[:3]) + (f" and {len(providers) - 3} more" if len(providers) > 3 else "")
        return (f"Privacy policy changes: {names} ({self.clause_count} clause change"
                f"{'' if self.clause_count == 1 else 's'}, to {self.period_end:%Y-%m-%d})")


def period_start(session: Session, subscriber: Subscriber) -> datetime:
    """Where the next digest starts: the end of the previous one, or the subscription."""
    previous = session.scalar(
        select(Digest.period_end).where(Digest.subscriber_id == subscriber.id)
        .order_by(Digest.period_end.desc()).limit(1)
    )
    return previous or subscriber.created_at


def message_id(subscriber: Subscriber, period_end: datetime, sender: str) -> str:
    """Stable per subscriber and period, so a resent digest is recognisably the same mail."""
    domain = sender.rpartition("@")[2] or "policy-tracker.invalid"
    return f"<digest.{subscriber.id}.{period_end:%Y%m%d%H%M%S.%f}@{domain}>"


def collect(session: Session, subscriber: Subscriber, start: datetime, end: datetime, *,
            wayback_url: str, sender: str) -> DigestContent:
    """The changes of (start, end] this subscriber wants, grouped by provider and document."""
    filters = Filters.from_json(subscriber.filters)
    changes = []
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for change, provider, document, from_v, to_v in _changes(session, subscriber, start, end):
        if not filters.wants_provider(provider) or _mailed_before(session, from_v, to_v):
            continue
        clauses = [c for c in _clauses(session, change.id)
                   if (subscriber.all_changes or not c[1]) and filters.wants_categories(list(c[0].categories))]
        if not clauses:
            continue
        kinds.update(item.kind for item, _ in clauses)
        categories.update(cat for item, _ in clauses for cat in item.categories)
        before = _link(session, from_v.last_capture_id, wayback_url)
        after = _link(session, to_v.first_capture_id, wayback_url)
        shown = tuple(item for item, _ in clauses[:MAX_CLAUSES_PER_CHANGE])
        returns_to = session.scalar(select(Version.seq).where(Version.id == to_v.returns_to_id))
        changes.append(ChangeItem(change.id, provider, document, from_v.seq, to_v.seq, before, after,
                                  shown, hidden=max(0, len(clauses) - MAX_CLAUSES_PER_CHANGE),
                                  returns_to=returns_to))
    return DigestContent(
        email=subscriber.email, frequency=subscriber.frequency, period_start=start, period_end=end,
        message_id=message_id(subscriber, end, sender), changes=tuple(changes),
        kind_counts={k.value: kinds[k] for k in KINDS if kinds[k]},
        category_counts=dict(categories.most_common()),
    )


def _changes(session: Session, subscriber: Subscriber, start: datetime, end: datetime):
    from_v, to_v = aliased(Version), aliased(Version)
    query = (
        select(Change, Provider.name, Document.name, from_v, to_v)
        .join(Document, Document.id == Change.document_id)
        .join(Provider, Provider.id == Document.provider_id)
        .join(from_v, from_v.id == Change.from_version_id)
        .join(to_v, to_v.id == Change.to_version_id)
        .where(Change.created_at > start, Change.created_at <= end, Change.technical == false())
        .order_by(Provider.name, Document.name, to_v.seq)
    )
    if not subscriber.all_changes:
        query = query.where(Change.material)
    return session.execute(query).all()


def _mailed_before(session: Session, from_v: Version, to_v: Version) -> bool:
    """A return to an earlier text that repeats an earlier step of the same document (the
    same text before and after, recorded as news, not as a technical rebuild): a flip-flop of
    variants is news once, not at every flip."""
    if to_v.returns_to_id is None:
        return False
    old_from, old_to = aliased(Version), aliased(Version)
    return session.scalar(
        select(Change.id)
        .join(old_from, old_from.id == Change.from_version_id)
        .join(old_to, old_to.id == Change.to_version_id)
        .where(Change.document_id == to_v.document_id, old_to.seq < to_v.seq, Change.technical == false(),
               old_from.clause_hash == from_v.clause_hash, old_to.clause_hash == to_v.clause_hash)
        .limit(1)
    ) is not None


def _clauses(session: Session, change_id: int) -> list[tuple[ClauseItem, bool]]:
    """The change's clause changes in reading order, each with its `cosmetic` flag."""
    return [
        (ClauseItem(kind=r.kind.value, section=r.section, flags=r.flags, categories=r.categories,
                    old_text=r.old_text, new_text=r.new_text, ops=r.ops, moved=r.moved), r.cosmetic)
        for r in clause_change_records(session, [change_id])[change_id]
    ]


def _link(session: Session, capture_id: int, wayback_url: str) -> ArchiveLink:
    capture = session.get_one(Capture, capture_id)
    if capture.source != "wayback":
        return ArchiveLink(capture.timestamp, capture.url, capture.source_url or "", capture.source)
    return ArchiveLink(capture.timestamp, capture.url,
                       f"{wayback_url.rstrip('/')}/web/{capture.timestamp}/{capture.url}")


# -- rendering ------------------------------------------------------------------------------

_ENV = Environment(
    loader=PackageLoader("tracker.notify", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)



@pass_environment
def _wrap(environment: Environment, text: str, width: int) -> str:
    """Jinja's wordwrap, except for Chinese and Japanese text, which it could only cut every
    ``width`` characters, markers and all (see tracker.diff.wrap_lines)."""
    if spaceless(text):
        return "\n".join(wrap_lines(text, width))
    return do_wordwrap(environment, text, width)


_ENV.filters["wrap"] = _wrap


def render_text(content: DigestContent) -> str:
    return _ENV.get_template("digest.txt").render(d=content)


def render_html(content: DigestContent) -> str:
    return _ENV.get_template("digest.html").render(d=content)


def build_message(content: DigestContent, sender: str) -> EmailMessage:
    """multipart/alternative: plain text first, HTML last (clients show the last they can)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = content.email
    message["Subject"] = content.subject
    message["Date"] = format_datetime(content.period_end.replace(tzinfo=UTC))
    message["Message-ID"] = content.message_id
    message.set_content(render_text(content), cte="quoted-printable")
    message.add_alternative(render_html(content), subtype="html", cte="quoted-printable")
    return message
