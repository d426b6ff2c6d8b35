"""Digests: which recorded changes a subscriber gets, and the e-mail that tells them.

A digest covers the changes recorded (`change.created_at`) after the subscriber's previous
digest and up to the digest's `period_end`, never a technical re-derivation, material
changes only unless the subscriber asked for all, filtered by provider and category.
Each step opens with its summary (tracker.read.summary, the one the web view's step page
shows); a few clause changes per document are listed, the rest counted, with the way to the
full comparison. Rendering is Jinja2 with autoescaping: policy text is untrusted and reaches
the HTML part only escaped (the redline comes from tracker.diff.redline, which escapes every
piece).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_environment, select_autoescape
from jinja2.filters import do_wordwrap
from markupsafe import Markup
from sqlalchemy import false, select
from sqlalchemy.orm import Session, aliased

from tracker.config import Config
from tracker.diff import redline_html, redline_text, spaceless, wrap_lines
from tracker.notify.subscribers import Filters
from tracker.read.summary import StepSummary, diff_command, side, step_page, summarize_step
from tracker.store import ClauseChangeRecord, Evidence, clause_change_records, version_evidence
from tracker.store.models import (
    Capture,
    Change,
    Digest,
    Document,
    Provider,
    Subscriber,
    Version,
)


@dataclass(frozen=True)
class ClauseItem:
    """One changed clause as the digest lists it; `number` is its place in the step (the
    number the summary lines, the step page and `tracker diff` give it)."""

    number: int
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


SOURCE_LABELS = {"wayback": "archived", "live": "live page", "file": "imported file",
                 "citp": "Princeton-Leuven corpus", "ota": "Open Terms Archive"}


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
    """One recorded change of one document, version `from_seq` -> `to_seq`: its summary, the
    clause changes listed, and where the full comparison is (the web view's step page when
    `web_base_url` is set, else the `tracker diff` command)."""

    change_id: int
    provider: str
    document: str
    from_seq: int
    to_seq: int
    date: datetime  # the new version's first sighting
    before: ArchiveLink
    after: ArchiveLink
    summary: StepSummary
    clauses: tuple[ClauseItem, ...]  # listed, in reading order
    hidden: int  # material clause changes not listed (the size budget)
    page: str  # the web view's step page, "" without web_base_url
    command: str  # the `tracker diff` command showing the step
    returns_to: int | None = None  # `to_seq` repeats this earlier version's text
    evidence: Evidence | None = None  # Save Page Now's capture of `to_seq`, found live

    @property
    def anchor(self) -> str:
        return f"step-{self.change_id}"

    def clause_anchor(self, number: int) -> str:
        return f"c{self.change_id}-{number}"

    def ref(self, number: int) -> str:
        """Where a summary line's clause number leads: its clause on the web view's step page,
        else the clause listed in this message; "" when neither (the number then points into
        `tracker diff`'s output)."""
        if self.page:
            return f"{self.page}#c{number}"
        if any(c.number == number for c in self.clauses):
            return "#" + self.clause_anchor(number)
        return ""


@dataclass(frozen=True)
class DigestContent:
    email: str
    frequency: str
    period_start: datetime
    period_end: datetime
    message_id: str
    changes: tuple[ChangeItem, ...]

    @property
    def providers(self) -> list[str]:
        return list(dict.fromkeys(c.provider for c in self.changes))

    @property
    def clause_count(self) -> int:
        return sum(c.summary.material + c.summary.cosmetic for c in self.changes)

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
            wayback_url: str, sender: str, web_base_url: str = "",
            max_clauses: int = Config.digest_max_clauses) -> DigestContent:
    """The changes of (start, end] this subscriber wants, grouped by provider and document,
    each summarised; at most `max_clauses` clause changes listed per document."""
    filters = Filters.from_json(subscriber.filters)

    def wants(record: ClauseChangeRecord) -> bool:
        return filters.wants_categories(list(record.categories))

    steps = []
    for change, provider, document, from_v, to_v in _changes(session, subscriber, start, end):
        if not filters.wants_provider(provider) or _mailed_before(session, from_v, to_v):
            continue
        records = clause_change_records(session, [change.id])[change.id]
        wanted = [r for r in records if wants(r)]
        if not any(subscriber.all_changes or not r.cosmetic for r in wanted):
            continue
        summary = summarize_step([(r.ordinal, r) for r in records], side(session, from_v), side(session, to_v),
                                 wanted=wants)
        steps.append((change, provider, document, from_v, to_v, summary,
                      [r for r in wanted if not r.cosmetic]))
    listed = _within_budget([(summary, material) for *_, summary, material in steps], max_clauses,
                            [change.document_id for change, *_ in steps])
    items = []
    for (change, provider, document, from_v, to_v, summary, material), numbers in zip(steps, listed, strict=True):
        clauses = tuple(_item(r) for r in material if r.ordinal in numbers)
        items.append(ChangeItem(
            change_id=change.id, provider=provider, document=document, from_seq=from_v.seq, to_seq=to_v.seq,
            date=to_v.first_seen, before=_link(session, from_v.last_capture_id, wayback_url),
            after=_link(session, to_v.first_capture_id, wayback_url), summary=summary, clauses=clauses,
            hidden=len(material) - len(clauses),
            page=step_page(web_base_url, change.document_id, from_v.seq, to_v.seq) if web_base_url else "",
            command=diff_command(provider, document, from_v.first_seen, to_v.first_seen),
            returns_to=session.scalar(select(Version.seq).where(Version.id == to_v.returns_to_id)),
            evidence=version_evidence(session, to_v.document_id, to_v.id).get(to_v.id),
        ))
    return DigestContent(
        email=subscriber.email, frequency=subscriber.frequency, period_start=start, period_end=end,
        message_id=message_id(subscriber, end, sender), changes=tuple(items),
    )


def _within_budget(steps: list[tuple[StepSummary, list]], budget: int, documents: list[int]) -> list[set[int]]:
    """The clause numbers each step lists, at most `budget` per document: first one clause
    behind each summary line (step by step, line by line), then the material clause changes
    of the steps that are not rewrites in reading order, then the lines' other clauses."""
    listed: list[set[int]] = [set() for _ in steps]
    left: dict[int, int] = dict.fromkeys(documents, budget)
    backing = [[[n for n in line.clauses if n in {r.ordinal for r in material}] for line in summary.lines]
               for summary, material in steps]
    rounds = (
        lambda k: [numbers[0] for numbers in backing[k] if numbers],
        lambda k: [] if steps[k][0].rewritten else [r.ordinal for r in steps[k][1]],
        lambda k: [n for numbers in backing[k] for n in numbers],
    )
    for numbers_of in rounds:
        for k in range(len(steps)):
            for number in numbers_of(k):
                if left[documents[k]] > 0 and number not in listed[k]:
                    listed[k].add(number)
                    left[documents[k]] -= 1
    return listed


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


def _item(record: ClauseChangeRecord) -> ClauseItem:
    return ClauseItem(number=record.ordinal, kind=record.kind.value, section=record.section, flags=record.flags,
                      categories=record.categories, old_text=record.old_text, new_text=record.new_text,
                      ops=record.ops, moved=record.moved)


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
