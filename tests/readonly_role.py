"""The read-only role `tracker sql` uses on PostgreSQL, for any test module whatever its
folder (a module of its own, as corpora.py is: `import conftest` would be ambiguous)."""

import sqlalchemy as sa


def read_only_url(url: str) -> str:
    """The URL `tracker sql` uses for database `url`, its read-only role set up first on
    PostgreSQL (as `tracker db grant-readonly` does)."""
    if url.startswith("sqlite"):
        return url
    import psycopg

    from tracker.config import Config
    from tracker.read.sql import console_url
    from tracker.store.readonly import grant_readonly

    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        grant_readonly(connection)
    return console_url(Config(database_url=url))
