"""`tracker search`: full-text search over clause text, answered per document with the
versions a matching clause appears in.

The index is the database's own (migration 0005): SQLite FTS5 (`clause_fts`, porter
stemming) and PostgreSQL's GIN index on to_tsvector('english', text). By default the text is
a phrase: its words, in order (`"opt-out"` finds "opt out" and "opt-out"). With
`syntax=True` it is the database's own query language: FTS5 on SQLite (words, "a phrase",
OR, NOT, prefix*), websearch_to_tsquery on PostgreSQL (words, "a phrase", or, -word).
The user's text reaches SQL only as a bound parameter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import DateTime, Integer, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.read.exceptions import SearchError
from tracker.store.documents import find_documents

MARK_START, MARK_END = "[", "]"

# {tsquery}: phraseto_tsquery for a phrase, websearch_to_tsquery for query syntax.
MATCHING_CLAUSES = {
    "sqlite": "SELECT rowid FROM clause_fts WHERE clause_fts MATCH :query",
    "postgresql": "SELECT id FROM clause WHERE to_tsvector('english', text) @@ {tsquery}('english', :query)",
}

SNIPPET = {
    "sqlite": f"SELECT snippet(clause_fts, 0, '{MARK_START}', '{MARK_END}', '…', 24) "
              "FROM clause_fts WHERE clause_fts MATCH :query AND rowid = :clause_id",
    "postgresql": "SELECT ts_headline('english', text, {tsquery}('english', :query), "
                  f"'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
                  "FragmentDelimiter=…, MaxFragments=2') FROM clause WHERE id = :clause_id",
}


@dataclass(frozen=True)
class SearchHit:
    """A clause matching the query, in one document, with the versions it appears in."""

    provider: str
    document: str
    clause_id: int
    versions: list[int]
    first_seen: datetime
    last_seen: datetime
    snippet: str

    def to_dict(self) -> dict:
        data = asdict(self)
        data["first_seen"] = self.first_seen.isoformat()
        data["last_seen"] = self.last_seen.isoformat()
        return data


def search(session: Session, query: str, *, provider: str | None = None,
           since: datetime | None = None, limit: int = 20, syntax: bool = False) -> list[SearchHit]:
    """Clauses matching `query` (a phrase, or with `syntax` the database's query language),
    per document, in versions in force on or after `since` (last seen then or later);
    ordered by provider, document and first appearance."""
    if not query.strip():
        raise SearchError("empty search text")
    dialect = session.get_bind().dialect.name
    if dialect not in MATCHING_CLAUSES:
        raise SearchError(f"full-text search needs SQLite or PostgreSQL, not {dialect}")
    tsquery = "websearch_to_tsquery" if syntax else "phraseto_tsquery"
    if dialect == "sqlite" and not syntax:
        query = '"' + query.replace('"', '""') + '"'  # an FTS5 string: the words as a phrase
    matching = MATCHING_CLAUSES[dialect].format(tsquery=tsquery)
    snippet = SNIPPET[dialect].format(tsquery=tsquery)
    filters, params = [], {"query": query, "limit": limit}
    binds = [bindparam("limit", type_=Integer)]
    if provider is not None:
        filters.append("AND h.document_id IN :document_ids")
        params["document_ids"] = [d.id for d in find_documents(session, provider)]
        binds.append(bindparam("document_ids", expanding=True))
    if since is not None:
        filters.append("AND h.last_seen >= :since")
        params["since"] = since
        binds.append(bindparam("since", type_=DateTime))
    statement = text(f"""
        SELECT h.provider, h.document, h.document_id, h.clause_id
        FROM clause_history h
        WHERE h.clause_id IN ({matching}) {' '.join(filters)}
        GROUP BY h.provider, h.document, h.document_id, h.clause_id
        ORDER BY h.provider, h.document, min(h.seq), min(h.sort_key)
        LIMIT :limit
    """).bindparams(*binds)
    try:
        matches = session.execute(statement, params).all()
        return [_hit(session, snippet, query, since, *row) for row in matches]
    except DBAPIError as exc:
        if dialect != "sqlite" or not syntax:
            raise
        raise SearchError(f"not a valid FTS5 query: {query!r} ({exc.orig}); "
                          'use words, "a phrase", OR, NOT, prefix*') from None


def _hit(session, snippet_sql, query, since, provider, document, document_id, clause_id) -> SearchHit:
    statement = text("SELECT seq, first_seen, last_seen FROM clause_history "
                     "WHERE document_id = :document_id AND clause_id = :clause_id "
                     f"{'' if since is None else 'AND last_seen >= :since'} ORDER BY seq")
    if since is not None:
        statement = statement.bindparams(bindparam("since", type_=DateTime))
    params = {"document_id": document_id, "clause_id": clause_id, "since": since}
    versions = session.execute(statement, params).all()
    snippet = session.scalar(text(snippet_sql), {"query": query, "clause_id": clause_id})
    return SearchHit(
        provider=provider, document=document, clause_id=clause_id,
        versions=[v.seq for v in versions], first_seen=_as_datetime(versions[0].first_seen),
        last_seen=_as_datetime(versions[-1].last_seen), snippet=" ".join(snippet.split()),
    )


def _as_datetime(value) -> datetime:
    """Through a text() query SQLite returns datetimes as stored text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def ranges(seqs: list[int]) -> str:
    """[1, 2, 3, 5] -> 'v1-v3, v5'."""
    parts, start = [], None
    for i, seq in enumerate(seqs):
        if start is None:
            start = seq
        if i + 1 == len(seqs) or seqs[i + 1] != seq + 1:
            parts.append(f"v{start}" if start == seq else f"v{start}-v{seq}")
            start = None
    return ", ".join(parts)
