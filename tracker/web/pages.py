"""The HTML pages: providers, a document's timeline, a version, a step between two versions
or dates, a clause's history, search. Read-only; every value reaches the page through an
autoescaping template."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from tracker import diff
from tracker.dates import period_start
from tracker.diff import CATEGORIES, FLAGS, check_category
from tracker.read import by_section, diff_versions, timeline
from tracker.read.search import search as full_text_search
from tracker.read.summary import Side, numbered, summarize_step
from tracker.store import version_clauses, version_evidence
from tracker.store.models import Capture
from tracker.web import data
from tracker.web.chart import timeline_chart
from tracker.web.common import PathId, QueryId, provenance_link, reading, render, resolve_version
from tracker.web.exceptions import NotFound

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100
VIEWS = ("inline", "side")
SEARCH_HITS = 20  # clauses on a search page, as `tracker search` shows


@router.get("/", response_class=HTMLResponse)
def providers(request: Request, after: QueryId = 0):
    with reading(request) as session:
        rows = data.document_summaries(session, after=after, limit=PAGE_SIZE)
        total = data.document_count(session)
    following = rows[-1].id if len(rows) == PAGE_SIZE else None
    return render(request, "providers.html", rows=rows, total=total, following=following, after=after)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_timeline(request: Request, document_id: PathId):
    with reading(request) as session:
        doc = data.document(session, document_id)
        rows = timeline(session, doc)
        chart = timeline_chart(rows, data.capture_marks(session, doc))
    return render(request, "timeline.html", doc=doc, rows=rows, chart=chart)


@router.get("/documents/{document_id}/versions/{seq}", response_class=HTMLResponse)
def version_page(request: Request, document_id: PathId, seq: PathId):
    with reading(request) as session:
        doc = data.document(session, document_id)
        version = data.version(session, doc, seq)
        clauses = version_clauses(session, version)
        captures = session.scalars(select(Capture).where(Capture.version_id == version.id)
                                   .order_by(Capture.captured_at)).all()
        newest = data.newest_seq(session, doc)
        evidence = version_evidence(session, doc.id, version.id).get(version.id)
    sections = [(section, list(group)) for section, group in groupby(clauses, key=lambda c: c.section)]
    provenance = [(c, provenance_link(request, c)) for c in captures]
    return render(request, "version.html", doc=doc, version=version, sections=sections,
                  provenance=provenance, newest=newest, evidence=evidence)


@router.get("/documents/{document_id}/diff", response_class=HTMLResponse)
def step_page(request: Request, document_id: PathId, material: bool = False, category: str = "", flag: str = "",
              view: str = "inline", old_ref: str = Query("", alias="from"), new_ref: str = Query("", alias="to")):
    """Between two versions (`v3`) or two dates (`2013-05-23`: the version in force then);
    `from`/`to` default to the newest step."""
    with reading(request) as session:
        doc = data.document(session, document_id)
        rows = timeline(session, doc)
        if not rows:
            raise NotFound(f"document {document_id} has no version yet")
        old = resolve_version(session, doc, old_ref or f"v{max(rows[-1].seq - 1, 1)}")
        new = resolve_version(session, doc, new_ref or f"v{rows[-1].seq}")
        changes = diff_versions(session, old, new)
    if category:
        check_category(category)
    if flag and flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r}: choose one of {', '.join(FLAGS)}")
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: choose inline or side")
    changed = numbered(changes)
    numbers = {id(c): n for n, c in changed}
    shown = [c for _, c in changed
             if (not material or not c.cosmetic)
             and (not category or category in c.categories)
             and (not flag or flag in c.flags)]
    # The summary a digest gives the step (tracker.read.summary), from the same clause changes.
    meaning = summarize_step(changed, _side(old, (c.old_text for c in changes)), _side(new, (c.new_text for c in changes)))
    # Its clause numbers lead to the clauses on this step's unfiltered page.
    unfiltered = request.url.remove_query_params(["material", "category", "flag"])
    return render(request, "step.html", doc=doc, old=old, new=new, summary=diff.summarize(changes),
                  meaning=meaning, number=lambda c: numbers[id(c)], unfiltered=str(unfiltered),
                  sections=by_section(shown), shown=len(shown), material=material, category=category,
                  flag=flag, view=view, categories=CATEGORIES, flags=FLAGS,
                  first=rows[0].seq, last=rows[-1].seq)


def _side(version, texts) -> Side:
    return Side(version.word_count, version.effective_date, tuple(t for t in texts if t is not None))


@router.get("/documents/{document_id}/clauses/{clause_id}", response_class=HTMLResponse)
def clause_page(request: Request, document_id: PathId, clause_id: PathId):
    with reading(request) as session:
        doc = data.document(session, document_id)
        stages = data.clause_lineage(session, doc, clause_id)
    return render(request, "clause.html", doc=doc, stages=stages, clause_id=clause_id)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", provider: str = "", since: str = "",
                limit: int = Query(SEARCH_HITS, ge=1, le=200)):
    hits, documents = [], {}
    if q.strip():
        with reading(request) as session:
            hits = full_text_search(session, q, provider=provider or None,
                                    since=period_start(since) if since else None, limit=limit)
            documents = data.document_ids(session, {(h.provider, h.document) for h in hits})
    more = request.url.include_query_params(limit=limit * 5) if len(hits) == limit and limit < 200 else None
    return render(request, "search.html", q=q, provider=provider, since=since, hits=hits, documents=documents,
                  more=more)
