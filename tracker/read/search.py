"""`tracker search`: full-text search over clause text, answered per document with the
versions a matching clause appears in.

The index is the database's own (migration 0005): SQLite FTS5 (`clause_fts`, porter
stemming) and PostgreSQL's GIN index on to_tsvector('english', text). By default the text is
a phrase: its words, in order (`"opt-out"` finds "opt out" and "opt-out"). With
`syntax=True` it is the database's own query language: FTS5 on SQLite (words, "a phrase",
OR, NOT, prefix*), websearch_to_tsquery on PostgreSQL (words, "a phrase", or, -word).
The user's text reaches SQL only as a bound parameter.

Both indexes cut text into words at spaces, so a run of Chinese or Japanese characters is one
"word" and a phrase inside it is never found. A phrase in those scripts is therefore looked
up as a substring of the clause texts (a scan, not the index) and its snippet cut around it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ARRAY, BindParameter, DateTime, Integer, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.normalize import normalize_text
from tracker.read.exceptions import SearchError
from tracker.store.documents import find_documents
from tracker.writing import CJK_CHARS

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


# A phrase in a script written without spaces: a substring of the clause text.
SUBSTRING = {
    "sqlite": "SELECT id FROM clause WHERE instr(text, :query) > 0",
    "postgresql": "SELECT id FROM clause WHERE strpos(text, :query) > 0",
}
_CJK = re.compile(f"[{CJK_CHARS}]")
_SNIPPET_CHARS = 40


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
    substring = not syntax and bool(_CJK.search(query))
    if substring:
        query = normalize_text(query)
    elif dialect == "sqlite" and not syntax:
        query = '"' + query.replace('"', '""') + '"'  # an FTS5 string: the words as a phrase
    matching = (SUBSTRING if substring else MATCHING_CLAUSES)[dialect].format(tsquery=tsquery)
    snippet = None if substring else SNIPPET[dialect].format(tsquery=tsquery)
    filters, params = [], {"query": query, "limit": limit}
    binds: list[BindParameter] = [bindparam("limit", type_=Integer)]
    if dialect == "postgresql":
        # PostgreSQL cannot estimate how few clauses a tsquery matches and would rather walk
        # every document in name order testing each clause (0.8 s at 10,000 documents,
        # bench/web.py): the matches, found first through the GIN index, go in as an array.
        params["clause_ids"] = list(session.scalars(text(matching), {"query": query}))
        binds.append(bindparam("clause_ids", type_=ARRAY(Integer)))
        matching_clause = "vc.clause_id = ANY(:clause_ids)"
    else:
        matching_clause = f"vc.clause_id IN ({matching})"
    if provider is not None:
        filters.append("AND vc.document_id IN :document_ids")
        params["document_ids"] = [d.id for d in find_documents(session, provider)]
        binds.append(bindparam("document_ids", expanding=True))
    # Each occurrence of a matching clause, with the first version it is in (in force on or
    # after `since`: NULL when none is). Occurrences, not clause_history's rows (one per
    # occurrence and version): a clause common to 10,000 documents is 10,000 rows, not
    # 10,000 x their versions (bench/web.py, SQLite: 190 ms a search at 100,000 documents).
    first = "vc.first_seq"
    if since is not None:
        first = ("(SELECT min(v.seq) FROM version v WHERE v.document_id = vc.document_id "
                 "AND v.seq >= vc.first_seq AND (vc.last_seq IS NULL OR v.seq <= vc.last_seq) "
                 "AND v.last_seen >= :since)")
        params["since"] = since
        binds.append(bindparam("since", type_=DateTime))
    statement = text(f"""
        SELECT p.name AS provider, d.name AS document, o.document_id, o.clause_id
        FROM (SELECT vc.document_id, vc.clause_id, vc.sort_key, {first} AS seq
              FROM version_clause vc
              WHERE {matching_clause} {' '.join(filters)}) o
        JOIN document d ON d.id = o.document_id
        JOIN provider p ON p.id = d.provider_id
        WHERE o.seq IS NOT NULL
        GROUP BY p.name, d.name, o.document_id, o.clause_id
        ORDER BY p.name, d.name, min(o.seq), min(o.sort_key)
        LIMIT :limit
    """).bindparams(*binds)
    try:
        matches = session.execute(statement, params).all()
        return _hits(session, snippet, query, since, matches)
    except DBAPIError as exc:
        if dialect != "sqlite" or not syntax:
            raise
        raise SearchError(f"not a valid FTS5 query: {query!r} ({exc.orig}); "
                          'use words, "a phrase", OR, NOT, prefix*') from None


def _hits(session, snippet_sql, query, since, matches) -> list[SearchHit]:
    """The matches with their versions (one query for all of them) and a snippet per clause."""
    if not matches:
        return []
    # The tables, not clause_history: the view would find every document holding the clause
    # (and its provider's name) before keeping the hits' documents.
    statement = text("SELECT vc.document_id, vc.clause_id, v.seq, v.first_seen, v.last_seen "
                     "FROM version_clause vc JOIN version v ON v.document_id = vc.document_id "
                     "AND v.seq >= vc.first_seq AND (vc.last_seq IS NULL OR v.seq <= vc.last_seq) "
                     "WHERE vc.document_id IN :document_ids AND vc.clause_id IN :clause_ids "
                     f"{'' if since is None else 'AND v.last_seen >= :since'} ORDER BY v.seq")
    binds: list[BindParameter] = [bindparam("document_ids", expanding=True), bindparam("clause_ids", expanding=True)]
    if since is not None:
        binds.append(bindparam("since", type_=DateTime))
    params = {"document_ids": sorted({m.document_id for m in matches}),
              "clause_ids": sorted({m.clause_id for m in matches}), "since": since}
    versions: dict[tuple[int, int], list] = {}
    for row in session.execute(statement.bindparams(*binds), params):
        versions.setdefault((row.document_id, row.clause_id), []).append(row)
    if snippet_sql is None:  # a substring match: the text around the phrase
        texts = dict(session.execute(text("SELECT id, text FROM clause WHERE id IN :ids")
                                     .bindparams(bindparam("ids", expanding=True)), {"ids": params["clause_ids"]}).all())
        snippets = {clause_id: _cut(texts[clause_id], query) for clause_id in params["clause_ids"]}
    else:
        snippets = {clause_id: session.scalar(text(snippet_sql), {"query": query, "clause_id": clause_id})
                    for clause_id in params["clause_ids"]}
    hits = []
    for provider, document, document_id, clause_id in matches:
        seen = versions[(document_id, clause_id)]
        hits.append(SearchHit(
            provider=provider, document=document, clause_id=clause_id, versions=[v.seq for v in seen],
            first_seen=_as_datetime(seen[0].first_seen), last_seen=_as_datetime(seen[-1].last_seen),
            snippet=" ".join(snippets[clause_id].split()),
        ))
    return hits


def _cut(clause: str, phrase: str) -> str:
    """The clause around the first occurrence of `phrase`, marked as the indexes mark it."""
    at = clause.find(phrase)
    start, end = max(0, at - _SNIPPET_CHARS), min(len(clause), at + len(phrase) + _SNIPPET_CHARS)
    return ("…" if start else "") + clause[start:at] + MARK_START + phrase + MARK_END + \
        clause[at + len(phrase):end] + ("…" if end < len(clause) else "")


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
