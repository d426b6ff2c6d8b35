"""Atom feeds of material changes: all, per provider, per document, per category. One entry per
step between consecutive versions, newest first, carrying its clause changes' redline and a
link to the step's page (at `web_base_url` when it is set: the address readers reach).
Written by feedgen (well-formed Atom, escaping done by lxml)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from tracker import __version__
from tracker.diff import check_category
from tracker.read import recorded_changes
from tracker.read.summary import step_page
from tracker.web import data
from tracker.web.common import PathId, reading

router = APIRouter(prefix="/feeds", tags=["feeds"])
ENTRIES = 50
SHOWN = 20  # clause changes quoted per entry; the step's page has them all
ATOM = "application/atom+xml; charset=utf-8"


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC)


def _feed(request: Request, title: str, **filters) -> Response:
    with reading(request) as session:
        found = data.steps(session, material=True, newest_first=True, limit=ENTRIES, **filters)
        records = recorded_changes(session, change_ids=[s.id for s in found]) if found else []
    by_step: dict[tuple, list] = {}
    for record in records:
        if not record.cosmetic:
            by_step.setdefault((record.provider, record.document, record.to_seq), []).append(record)
    feed = FeedGenerator()
    feed.id(str(request.url))
    feed.title(title)
    feed.link(href=str(request.url), rel="self")
    feed.link(href=str(request.url_for("providers")), rel="alternate")
    feed.generator("policy-tracker", version=__version__)
    feed.updated(_utc(found[0].date) if found else datetime(1970, 1, 1, tzinfo=UTC))
    template = request.app.state.templates.get_template("entry.html")
    for step in reversed(found):  # feedgen puts the last added entry first
        page = step_page(request.app.state.web_base_url or str(request.base_url), step.document_id,
                         step.from_seq, step.to_seq)
        changes = by_step.get((step.provider, step.document, step.to_seq), [])
        entry = feed.add_entry()
        entry.id(page)
        entry.title(f"{step.provider} / {step.document}: v{step.from_seq} → v{step.to_seq}, "
                    f"{step.material_count} material clause change(s)")
        entry.link(href=page, rel="alternate")
        entry.updated(_utc(step.date))
        entry.published(_utc(step.date))
        entry.author(name=step.provider)
        entry.content(template.render(step=step, changes=changes[:SHOWN], more=len(changes) - SHOWN), type="html")
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


@router.get("/changes.atom")
def all_changes_feed(request: Request):
    return _feed(request, "Material privacy-policy changes")


@router.get("/providers/{provider}.atom")
def provider_feed(request: Request, provider: str):
    return _feed(request, f"Material changes of {provider}'s policies", provider=provider)


@router.get("/documents/{document_id}.atom")
def document_feed(request: Request, document_id: PathId):
    with reading(request) as session:
        doc = data.document(session, document_id)
        title = f"Material changes of {doc.provider.name} / {doc.name}"
    return _feed(request, title, document_id=document_id)


@router.get("/categories/{category}.atom")
def category_feed(request: Request, category: str):
    return _feed(request, f"Material changes about {check_category(category)}", category=category)
