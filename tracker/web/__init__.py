"""`tracker serve`: a read-only web view of the database: pages, a JSON API, Atom feeds.

FastAPI (on Starlette) with uvicorn: typed routes give the API its OpenAPI document for free,
pages are Jinja2 templates (as the digests are) with autoescaping, and nothing needs a
JavaScript build step. Every database connection is a read-only one (tracker.db).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from sqlalchemy.orm import sessionmaker

from tracker import __version__
from tracker.dates import BadDate
from tracker.diff import UnknownCategory
from tracker.diff.redline import runs
from tracker.read import NoVersion, SearchError
from tracker.read.search import MARK_END, MARK_START
from tracker.store import DatabaseError, UnknownProvider
from tracker.store.db import is_current, read_only_engine
from tracker.web.exceptions import NotFound, PortInUse, WebError
from tracker.web.server import WebServer

HERE = Path(__file__).parent
# No inline script or style anywhere; nothing from another origin; never inside a frame.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
__all__ = ["NotFound", "PortInUse", "WebError", "WebServer", "create_app", "routers", "templates"]

TAGGED = ("application/json", "application/atom+xml", "text/html")  # responses that get an ETag


def templates() -> Environment:
    """Jinja2 with every `{{ }}` escaped: policy text never becomes markup."""
    env = Environment(loader=PackageLoader("tracker.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(runs=runs, snippet=snippet_parts, spans=spans)
    return env


def spans(seqs: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] -> [(1, 3), (5, 5)]: runs of consecutive versions, as tracker.search.ranges
    writes them, for links."""
    runs_: list[list[int]] = []
    for seq in seqs:
        if runs_ and runs_[-1][1] == seq - 1:
            runs_[-1][1] = seq
        else:
            runs_.append([seq, seq])
    return [(first, last) for first, last in runs_]


def snippet_parts(snippet: str) -> list[str]:
    """A search snippet split at its match marks: plain, marked, plain, marked, ..."""
    return re.split(re.escape(MARK_START) + "(.*?)" + re.escape(MARK_END), snippet)


def create_app(database_url: str, *, archive_url: str = "https://web.archive.org", web_base_url: str = "") -> FastAPI:
    """The web application over `database_url`, read-only; `archive_url` is where capture
    links point (the configured Wayback Machine), `web_base_url` where readers reach this
    view (feeds link steps there; "": the address each request came to)."""
    engine = read_only_engine(database_url)
    if not is_current(engine):
        engine.dispose()
        raise DatabaseError("the database schema is not current: run `tracker init` first "
                            "(the web view never writes)")
    app = FastAPI(title="policy-tracker", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Read-only access to recorded privacy-policy versions and clause changes.")
    app.state.sessions = sessionmaker(engine)
    app.state.templates = templates()
    app.state.archive_url = archive_url.rstrip("/")
    app.state.web_base_url = web_base_url.rstrip("/")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    for router in routers():
        app.include_router(router)
    app.middleware("http")(_headers_and_etag)
    app.add_middleware(HeadAsGet)
    for missing in (LookupError, NoVersion, UnknownProvider):
        app.add_exception_handler(missing, _not_found)
    for wrong in (ValueError, BadDate, UnknownCategory, SearchError):
        app.add_exception_handler(wrong, _bad_request)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _server_error)
    return app


def routers() -> list[APIRouter]:
    """The application's routes: pages, the JSON API, the feeds (the fuzz test walks them)."""
    from tracker.web import api, feeds, pages

    return [pages.router, api.router, feeds.router]


class HeadAsGet:
    """HEAD answered as GET without the body (RFC 9110 §9.3.2): link checkers and feed
    readers ask with HEAD whether a page or feed changed, and FastAPI's GET routes say 405."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


async def _headers_and_etag(request: Request, call_next) -> Response:
    """Security headers on every response; an ETag (a hash of the body) on pages, API and
    feeds, answered with 304 when the client already has it. A NUL in the path or the query
    is refused here, for every route: no name, date or search text holds one, and PostgreSQL
    refuses it in any text."""
    if "\x00" in request.url.path or any("\x00" in k + v for k, v in request.query_params.multi_items()):
        return _error(request, 400, "the request holds a NUL character")
    response = await call_next(request)
    if request.method in ("GET", "HEAD") and response.status_code == 200 \
            and response.headers.get("content-type", "").startswith(TAGGED):
        body = b"".join([chunk async for chunk in response.body_iterator])
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            response = Response(status_code=304, headers={**headers, "ETag": etag})
            del response.headers["content-type"]
        else:
            response = Response(body, status_code=200, headers={**headers, "ETag": etag})
    response.headers.update(SECURITY_HEADERS)
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/feeds/"))


def _error(request: Request, status: int, message: str) -> Response:
    """An error answer: JSON under /api and /feeds, a page elsewhere; with the security
    headers itself, since a 500 is sent from outside the middleware that adds them."""
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=SECURITY_HEADERS)
    page = request.app.state.templates.get_template("error.html").render(request=request, status=status,
                                                                      message=message)
    return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, str(exc).strip("'\""))


async def _bad_request(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """A parameter of the wrong type or out of range: 422, as the OpenAPI document says (the
    API's answer is FastAPI's, a list of errors); a page says it in one line."""
    assert isinstance(exc, RequestValidationError)  # the one exception it is registered for
    if _wants_json(request):
        response = await request_validation_exception_handler(request, exc)
        response.headers.update(SECURITY_HEADERS)
        return response
    errors = exc.errors()
    where = "; ".join(f"{'.'.join(map(str, e.get('loc', ())[1:]))}: {e.get('msg', '')}" for e in errors[:3])
    return _error(request, 422, f"invalid request: {where or exc}")


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug: a plain 500 with the security headers; the traceback goes to the server's log."""
    return _error(request, 500, "internal error (the server's log has the details)")
