"""Digest subscribers: who gets mail, how often, and about what.

A subscriber's filters are a JSON object `{"providers": [...], "categories": [...]}`; an empty
list means "all". Subscribing an address again replaces its settings, so the command is safe
to repeat.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.diff.categories import check_category
from tracker.notify.exceptions import InvalidEmail, InvalidFrequency, UnknownSubscriber
from tracker.store.documents import find_documents
from tracker.store.models import Digest, Subscriber

FREQUENCIES = ("daily", "weekly")

# Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Header
# injection (a newline in an address) is what matters most, and this refuses it.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


@dataclass(frozen=True)
class Filters:
    providers: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, text: str | None) -> Filters:
        data = json.loads(text or "{}")
        return cls(tuple(data.get("providers", ())), tuple(data.get("categories", ())))

    def to_json(self) -> str:
        return json.dumps({"providers": list(self.providers), "categories": list(self.categories)},
                          ensure_ascii=False)

    def wants_provider(self, name: str) -> bool:
        return not self.providers or name.lower() in {p.lower() for p in self.providers}

    def wants_categories(self, categories: list[str]) -> bool:
        return not self.categories or bool(set(categories) & set(self.categories))


@dataclass(frozen=True)
class SubscriberRow:
    email: str
    frequency: str
    all_changes: bool
    filters: Filters = field(default_factory=Filters)

    def to_dict(self) -> dict:
        return {"email": self.email, "frequency": self.frequency, "all_changes": self.all_changes,
                "providers": list(self.filters.providers), "categories": list(self.filters.categories)}

    def line(self) -> str:
        what = "all changes" if self.all_changes else "material changes"
        providers = ", ".join(self.filters.providers) or "all providers"
        categories = ", ".join(self.filters.categories) or "all categories"
        return f"{self.email}  {self.frequency}, {what}; {providers}; {categories}"


def check_email(address: str) -> str:
    address = address.strip()
    if len(address) > 320 or not _EMAIL.fullmatch(address):
        raise InvalidEmail(f"not an e-mail address: {address!r} (expected name@example.org)")
    return address


def subscribe(session: Session, email: str, *, providers=(), categories=(), all_changes: bool = False,
              frequency: str = "daily") -> tuple[Subscriber, bool]:
    """Add the subscriber or replace its settings; returns (row, created).

    Providers must be tracked already and categories must be known, so that a typo is an
    error now rather than a digest that never comes.
    """
    email = check_email(email)
    if frequency not in FREQUENCIES:
        raise InvalidFrequency(f"frequency must be one of {', '.join(FREQUENCIES)}, not {frequency!r}")
    provider_names = []
    for name in providers:
        provider_names.append(find_documents(session, name)[0].provider.name)
    filters = Filters(tuple(dict.fromkeys(provider_names)),
                      tuple(dict.fromkeys(check_category(c) for c in categories)))
    found = _find(session, email)
    created = found is None
    row = Subscriber(email=email) if found is None else found
    if created:
        session.add(row)
    row.filters, row.frequency, row.all_changes = filters.to_json(), frequency, all_changes
    session.flush()
    return row, created


def unsubscribe(session: Session, email: str) -> int:
    """Remove the subscriber and its digests (sent or not); returns how many digests went."""
    row = _find(session, email.strip())
    if row is None:
        raise UnknownSubscriber(f"no subscriber {email.strip()!r} (see `tracker subscribers`)")
    gone = session.connection().execute(delete(Digest).where(Digest.subscriber_id == row.id)).rowcount
    session.delete(row)
    return gone


def list_subscribers(session: Session) -> list[SubscriberRow]:
    return [to_row(s) for s in session.scalars(select(Subscriber).order_by(Subscriber.email))]


def to_row(subscriber: Subscriber) -> SubscriberRow:
    return SubscriberRow(subscriber.email, subscriber.frequency, subscriber.all_changes,
                         Filters.from_json(subscriber.filters))


def _find(session: Session, email: str) -> Subscriber | None:
    return session.scalars(select(Subscriber).where(func.lower(Subscriber.email) == email.lower())).first()
