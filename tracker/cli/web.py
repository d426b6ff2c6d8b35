"""`tracker serve`: the read-only web view (tracker/web/)."""

from __future__ import annotations

import click

from tracker.cli.app import App, pass_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@pass_app
def serve_command(app: App, host: str, port: int) -> None:
    """Serve the database read-only as web pages, a JSON API (/api) and Atom feeds (/feeds)."""
    from sqlalchemy import make_url

    from tracker.read.sql import console_url
    from tracker.web import create_app
    from tracker.web.server import bind, serve

    sock = bind(host, port)  # a taken port is one line before anything else is opened
    # On PostgreSQL, as the console's read-only role (`tracker db grant-readonly`).
    web = create_app(console_url(app.config), archive_url=app.config.wayback_url,
                     web_base_url=app.config.web_base_url)
    shown = make_url(app.config.database_url).render_as_string(hide_password=True)  # never the password
    click.echo(f"serving {shown} read-only at http://{host}:{sock.getsockname()[1]}/ "
               "(Ctrl-C stops)")
    serve(web, sock)
