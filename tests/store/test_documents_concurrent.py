"""Two transactions that name the same new provider and document at once (workers keeping
import batches): both succeed, with one row each, on PostgreSQL where they really overlap."""

import threading

import pytest
import sqlalchemy as sa

from tracker.store.db import open_database
from tracker.store.documents import ensure_document


@pytest.fixture
def postgres_sessions(database_url):
    sessions = open_database(database_url)
    yield sessions
    sessions.kw["bind"].dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one writer at a time
def test_two_transactions_creating_one_provider_at_once_share_its_rows(postgres_sessions):
    first = postgres_sessions()
    made = ensure_document(first, "example.com", "Privacy Policy", "http://example.com/privacy")
    first.flush()  # inserted, not committed: the second insert waits on its unique keys
    result: dict = {}

    def second() -> None:
        try:
            with postgres_sessions.begin() as session:
                document = ensure_document(session, "example.com", "Privacy Policy", "http://example.com/privacy")
                session.flush()
                result["id"] = document.id
        except Exception as exc:  # noqa: BLE001 (the assertion below shows it)
            result["error"] = exc

    other = threading.Thread(target=second)
    other.start()
    other.join(timeout=2)
    assert other.is_alive(), "the second transaction did not wait for the first"
    first.commit()
    other.join(timeout=30)
    first.close()
    assert "error" not in result, result.get("error")
    assert result["id"] == made.id
    with postgres_sessions() as session:
        for table in ("provider", "document", "document_url"):
            assert session.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 1
