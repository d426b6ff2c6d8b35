"""No request makes the web view answer 500, and every answer carries the security headers:
each parameter of every route (walked from the application itself, so a new route is
fuzzed without a word here) gets hostile values, the others valid ones, on SQLite and
PostgreSQL through uvicorn on loopback. Deterministic: the same table every run."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from fastapi.routing import APIRoute
from readonly_role import read_only_url
from sqlalchemy import NullPool, create_engine, select

from tracker.store.models import Change, ClauseChange, Document
from tracker.web import SECURITY_HEADERS, WebServer, create_app, routers

HOSTILE = [
    "18446744073709551616", "9223372036854775808", "-9223372036854775809", "-1", "0",
    "99999999999999999999999999999999999999", "1e309", "NaN", "",  " ", "\x00", "a\x00b", "%00",
    "x" * 5000, "é€😀\u202e", "2024-13-45", "0000", "99999999999999", "9999-12-31",
    "v0", "v18446744073709551616", "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "' OR 1=1 --",
    "<script>alert(1)</script>", "true", "2013-05-23T00:00:00~18446744073709551616", "~", "a" * 70 + ":",
]


@pytest.fixture(scope="module")
def fuzzed(corpus_database_url, corpus_sessions_module):
    app = create_app(read_only_url(corpus_database_url))
    with WebServer(app) as server:
        yield app, server.url, corpus_sessions_module


@pytest.fixture(scope="module")
def corpus_sessions_module(corpus_database_url):
    from tracker.store.db import open_database

    factory = open_database(corpus_database_url)
    yield factory
    factory.kw["bind"].dispose()


def valid_values(sessions) -> dict[str, str]:
    """A value of each path parameter that names something recorded."""
    with sessions() as session:
        change = session.scalars(select(Change).order_by(Change.id)).first()
        clause_id = session.scalar(select(ClauseChange.new_clause_id).where(ClauseChange.new_clause_id.is_not(None)))
        provider = session.scalars(select(Document)).first().provider.name
    return {"document_id": str(change.document_id), "seq": "1", "change_id": str(change.id),
            "clause_id": str(clause_id), "when": "2013", "provider": provider,
            "category": "third_party_sharing_collection"}


def routes() -> list[tuple[str, list[str], list[str]]]:
    """(path, path parameters, query parameters) of every GET route of the application."""
    found = []
    for route in [route for router in routers() for route in router.routes]:
        if isinstance(route, APIRoute) and "GET" in route.methods:
            found.append((route.path, [p.alias for p in route.dependant.path_params],
                          [p.alias for p in route.dependant.query_params]))
    return found


def fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def check(response: requests.Response, what: str) -> str | None:
    missing = [h for h, v in SECURITY_HEADERS.items() if response.headers.get(h) != v]
    if response.status_code >= 500 or missing:
        return f"{what}: {response.status_code}, missing headers {missing}"
    return None


def test_every_parameter_of_every_route_answers_hostile_values_without_a_500(fuzzed):
    app, base, sessions = fuzzed
    valid = valid_values(sessions)
    found = routes()
    assert len(found) >= 15 and any(q for _, _, q in found)  # the walk sees the app's routes
    failures = []
    with requests.Session() as http:
        for path, path_params, query_params in found:
            for name in path_params + query_params:
                for value in HOSTILE:
                    if name in path_params:
                        url = base + fill(path, {**valid, name: value})
                        params = {}
                    else:
                        url, params = base + fill(path, valid), {name: value}
                    what = f"GET {path} {name}={value[:40]!r}"
                    try:
                        response = http.get(url, params=params, timeout=60)
                    except requests.ConnectionError as exc:  # the server dropped the connection
                        failures.append(f"{what}: {exc}")
                        continue
                    failures.append(check(response, what))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("raw", [
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/api/documents/%00",
    "/search?q=%00", "/search?q=%ff%fe", "/search?q=%ed%a0%80", "/api/documents/%ed%a0%80",
    "/api/documents?after=%ff", "/documents/1/diff?from=%00&to=v1",
    "/nowhere", "/api/nowhere",
])
def test_raw_paths_and_queries_answer_without_a_500(fuzzed, raw):
    _, base, _ = fuzzed
    response = requests.get(base + raw, timeout=60)
    assert check(response, raw) is None and "root:" not in response.text


@pytest.mark.parametrize("path, status", [
    ("/api/documents/18446744073709551616", 422), ("/documents/18446744073709551616", 422),
    ("/api/documents?after=99999999999999", 422), ("/api/documents/-1", 422),
    ("/documents/1/versions/v18446744073709551616", 422), ("/documents/1/diff?from=v18446744073709551616", 404),
    ("/search?q=privacy%00policy", 400), ("/api/changes?provider=%00", 400),
    ("/api/changes?after=2013-05-23T00:00:00~18446744073709551616", 400),
    ("/api/documents/1/at/9999-12-31", 200),
])
def test_bad_input_is_a_4xx_with_the_usual_headers(fuzzed, path, status):
    _, base, sessions = fuzzed
    path = path.replace("/1/", f"/{valid_values(sessions)['document_id']}/")
    response = requests.get(base + path, timeout=60)
    assert response.status_code == status and check(response, path) is None, response.text[:300]


def test_a_server_error_still_carries_the_security_headers(database_url):
    """A real fault (the table the first page reads gone from under the server) is a 500:
    sent from outside the middleware, it must bring the headers itself."""
    from tracker.store.db import open_database

    open_database(database_url).kw["bind"].dispose()
    with WebServer(create_app(read_only_url(database_url))) as server:
        engine = create_engine(database_url, poolclass=NullPool)
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE document RENAME TO document_gone")
        engine.dispose()
        for path in ("/", "/api/documents"):
            response = requests.get(server.url + path, timeout=60)
            assert response.status_code == 500 and check(response, path) == f"{path}: 500, missing headers []"
            assert "Traceback" not in response.text and "document_gone" not in response.text
