"""`tracker serve`'s JSON API, Atom feeds and HTTP behaviour, on SQLite and PostgreSQL: the
real application served by uvicorn on loopback over the backfilled sample and test corpora,
asked with real HTTP requests. (Pages in a real browser: test_web_browser.py.)"""

from __future__ import annotations

import hashlib
import socket

import feedparser
import pytest
import requests
from click.testing import CliRunner
from readonly_role import read_only_url
from sqlalchemy import select

from tracker.cli import main
from tracker.diff import CATEGORIES
from tracker.read import recorded_changes, timeline
from tracker.store import DatabaseError, find_documents, open_database
from tracker.store.models import Change, Clause, ClauseChange, Version
from tracker.web import SECURITY_HEADERS, WebServer, create_app


@pytest.fixture(scope="module")
def served(corpus_database_url):
    """(base URL, database URL) of the web view over the corpus database."""
    # On PostgreSQL as the read-only role, as `tracker serve` connects.
    with WebServer(create_app(read_only_url(corpus_database_url))) as server:
        yield server.url, corpus_database_url


@pytest.fixture
def reader(corpus_sessions):
    """Sessions on the same database, to compute what the API should answer."""
    return corpus_sessions


def get(base: str, path: str, **kwargs) -> requests.Response:
    response = requests.get(path if path.startswith("http") else base + path, timeout=30, **kwargs)
    return response


def test_documents_are_paged_by_stable_cursors_until_every_document_is_listed(served, reader):
    base, _ = served
    seen, url, pages = [], "/api/documents?limit=2", 0
    while url:
        body = get(base, url).json()
        assert len(body["items"]) <= 2
        seen += [d["id"] for d in body["items"]]
        url, pages = body["next"], pages + 1
    with reader() as session:
        expected = sorted(d.id for d in find_documents(session))
    assert seen == expected and pages >= 3
    one = get(base, f"/api/documents/{expected[0]}").json()
    assert one["url"].endswith(f"/api/documents/{expected[0]}") and one["versions"] >= 1


def test_versions_and_the_version_in_force_at_a_date(served, reader):
    base, _ = served
    with reader() as session:
        doc = find_documents(session, "voip.com")[0]
        rows = timeline(session, doc)
    versions = get(base, f"/api/documents/{doc.id}/versions").json()["items"]
    assert [v["seq"] for v in versions] == [r.seq for r in rows]
    second = rows[1].first_seen
    at = get(base, f"/api/documents/{doc.id}/at/{second:%Y-%m-%d}").json()
    assert at["seq"] == 2 and at["clauses"] == len(at["clauses_in_order"]) == rows[1].clauses
    day_before = get(base, f"/api/documents/{doc.id}/at/{second.year - 1}").json()
    assert day_before["seq"] == 1
    before_first = get(base, f"/api/documents/{doc.id}/at/1990")
    assert before_first.status_code == 404 and "no version" in before_first.json()["detail"]
    assert get(base, f"/api/documents/{doc.id}/at/yesterday").status_code == 400
    assert get(base, "/api/documents/999999/versions").status_code == 404


def test_changes_since_a_date_filtered_by_category_and_their_clause_records(served, reader):
    base, _ = served
    with reader() as session:
        expected = {(r.provider, r.document, r.to_seq) for r in
                    recorded_changes(session, category="data_retention") if r.date.year >= 2010}
    items, url = [], "/api/changes?since=2010&category=data_retention&limit=3"
    while url:
        body = get(base, url).json()
        items += body["items"]
        url = body["next"]
    assert expected and {(i["provider"], i["document"], i["to_seq"]) for i in items} == expected
    assert all(i["date"] >= "2010" for i in items)
    material = get(base, "/api/changes?material=true&limit=1000").json()["items"]
    assert material and all(i["material"] for i in material)
    step = items[0]
    detail = get(base, step["url"]).json()
    with reader() as session:
        records = recorded_changes(session, change_ids=[step["id"]])
    assert [c["kind"] for c in detail["clause_changes"]] == [r.kind for r in records]
    assert any("data_retention" in c["categories"] for c in detail["clause_changes"])
    assert get(base, "/api/changes?category=gossip").status_code == 400


def test_etags_answer_a_repeated_request_with_304(served):
    base, _ = served
    for path in ("/api/documents", "/feeds/changes.atom", "/"):
        first = get(base, path)
        etag = first.headers["ETag"]
        again = get(base, path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
        assert get(base, path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_answers_like_get_without_a_body(served):
    base, _ = served
    for path in ("/", "/api/documents", "/feeds/changes.atom", "/static/style.css"):
        full, head = get(base, path), requests.head(base + path, timeout=30)
        assert head.status_code == 200 and head.content == b"", path
        for header in ("Content-Type", "Content-Length", "ETag", "Content-Security-Policy"):
            assert head.headers.get(header) == full.headers.get(header), (path, header)
    assert requests.head(base + "/no/such/page", timeout=30).status_code == 404


def test_openapi_documents_every_api_route_and_only_reads(served):
    base, _ = served
    spec = get(base, "/api/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/documents", "/api/documents/{document_id}/versions/{seq}",
                 "/api/documents/{document_id}/at/{when}", "/api/changes", "/api/changes/{change_id}"):
        assert set(paths[path]) == {"get"}, path
    assert "ChangeDetail" in spec["components"]["schemas"]


def test_no_write_endpoint_and_security_headers_everywhere(served):
    base, _ = served
    for path in ("/", "/api/documents", "/api/changes/1", "/feeds/changes.atom", "/search"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert requests.request(method, base + path, timeout=30).status_code == 405, (method, path)
    for path in ("/", "/api/documents", "/static/style.css", "/no/such/page", "/api/documents/0"):
        response = get(base, path)
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value, (path, header)
    assert "script-src" not in SECURITY_HEADERS["Content-Security-Policy"]  # default-src 'none' covers it


def test_feeds_are_valid_atom_with_material_steps_linking_back(served, reader):
    base, _ = served
    with reader() as session:
        voip = find_documents(session, "voip.com")[0]
        material_steps = session.scalar(select(Change.id).where(Change.material).limit(1))
        voip_material = len([c for c in session.scalars(select(Change).where(Change.document_id == voip.id))
                             if c.material])
    assert material_steps is not None
    feeds = {"/feeds/changes.atom": None, "/feeds/providers/voip.com.atom": voip_material,
             f"/feeds/documents/{voip.id}.atom": voip_material, "/feeds/categories/data_retention.atom": None}
    for path, count in feeds.items():
        response = get(base, path)
        assert response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10" and parsed.entries, path
        if count is not None:
            assert len(parsed.entries) == count
        entry = parsed.entries[0]
        assert "material clause change" in entry.title
        assert get(base, entry.link).status_code == 200
        assert "<del>" in entry.content[0].value or "<ins>" in entry.content[0].value or "[-" in entry.content[0].value
    assert get(base, f"/feeds/categories/{CATEGORIES[0]}.atom").status_code == 200
    assert get(base, "/feeds/categories/nonsense.atom").status_code == 400


def test_pages_answer_and_unknown_things_are_404(served, reader):
    base, _ = served
    with reader() as session:
        doc = find_documents(session, "voip.com")[0]
        last = session.scalar(select(Version.seq).where(Version.document_id == doc.id).order_by(Version.seq.desc()))
    for path in ("/", f"/documents/{doc.id}", f"/documents/{doc.id}/versions/{last}",
                 f"/documents/{doc.id}/diff?from=2006&to=2013&view=side", "/search?q=cookies"):
        response = get(base, path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), path
    for path in ("/documents/999999", f"/documents/{doc.id}/versions/999", f"/documents/{doc.id}/clauses/0"):
        assert get(base, path).status_code == 404, path
    assert get(base, f"/documents/{doc.id}/diff?from=v1&to=v2&flag=bogus").status_code == 400


def test_demo_says_how_to_browse_it_and_serving_changes_nothing(tmp_path):
    """`tracker demo` says how to browse its database; the SQLite file and its WAL are byte
    for byte the same after pages, API and feeds were read."""
    output = CliRunner().invoke(main, ["demo", "--workdir", str(tmp_path)], env={"TRACKER_CONFIG": "/dev/null"}).output
    browse = [line for line in output.splitlines() if line.startswith("Browse it: ")]
    assert browse and browse[0].endswith(" serve, then open http://127.0.0.1:8000/")
    database_url = browse[0].split("TRACKER_DATABASE_URL=", 1)[1].split()[0]
    path = tmp_path / "tracker.db"
    assert database_url == f"sqlite:///{path}"

    def digest() -> list[str]:
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tmp_path.glob("tracker.db*"))]

    before = digest()
    with WebServer(create_app(f"sqlite:///{path}")) as server:
        for route in ("/", "/documents/1", "/documents/1/diff", "/api/changes", "/feeds/changes.atom",
                      "/search?q=privacy"):
            assert get(server.url, route).status_code == 200
    assert digest() == before


def test_serve_refuses_a_taken_port_with_one_line(tmp_path):
    from tracker.cli.demo import run_demo

    run_demo(tmp_path, lambda line: None)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "TRACKER_CONFIG": "/dev/null"}
    try:
        result = CliRunner().invoke(main, ["serve", "--port", str(port)], env=env)
    finally:
        taken.close()
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: cannot serve on 127.0.0.1:{port}: the port is already in use"


def test_serve_refuses_a_database_that_is_missing_or_not_migrated(tmp_path):
    env = {"TRACKER_CONFIG": "/dev/null", "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env=env)
    assert result.exit_code == 1 and "no SQLite database file" in result.output
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "empty.db").write_bytes(b"")
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env=env)
    assert result.exit_code == 1 and "run `tracker init` first" in result.output
    assert not (tmp_path / "empty.db").read_bytes()  # still empty: nothing was created in it


def test_tracker_serve_runs_as_a_process_and_stops_cleanly_on_sigterm(corpus_database_url):
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "TRACKER_DATABASE_URL": corpus_database_url, "TRACKER_CONFIG": "/dev/null"}
    process = subprocess.Popen([sys.executable, "-c", "from tracker.cli import main; main()", "serve", "--port", "0"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serving ") and " read-only at http://127.0.0.1:" in line, line
        base = line.split(" at ", 1)[1].split()[0].rstrip("/")
        assert get(base, "/api/documents").json()["items"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in errors


def test_a_clause_page_follows_its_recorded_modifications_both_ways(served, reader):
    base, _ = served
    with reader() as session:
        cc, document_id = session.execute(
            select(ClauseChange, Change.document_id).join(Change, Change.id == ClauseChange.change_id)
            .where(ClauseChange.kind == "modified").order_by(ClauseChange.id).limit(1)).one()
        new_text = session.get(Clause, cc.new_clause_id).text
    pages = [get(base, f"/documents/{document_id}/clauses/{clause}").text
             for clause in (cc.old_clause_id, cc.new_clause_id)]
    for page in pages:
        assert page.count('<li class="') >= 2 and ("<del>" in page or "<ins>" in page)
    # the same lineage from either end; only which stage is marked current differs
    assert pages[0].replace('class="current"', 'class=""') == pages[1].replace('class="current"', 'class=""')
    assert new_text.split()[0] in pages[1]


def test_the_web_view_refuses_a_role_that_can_write(database_url):
    """Like the console, the web view runs only as a role that can read and nothing else."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no roles: its connections are opened read-only (mode=ro, query_only)")
    open_database(database_url).kw["bind"].dispose()  # the schema, made by its owner
    with pytest.raises(DatabaseError, match="grant-readonly"):
        create_app(database_url)
