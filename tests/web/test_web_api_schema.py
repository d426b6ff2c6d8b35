"""The API's answers are the read side's records, field for field, plus the API's links: the
OpenAPI document (generated from them) lists exactly the dataclasses' fields, so a field added
to a record reaches the API and its documentation without a second model to keep in step."""

from dataclasses import fields

import pytest

from tracker.read import ChangeRow, VersionRow
from tracker.read.history import SourceRow
from tracker.store import StoredClause
from tracker.web import create_app
from tracker.web.data import DocumentSummary, Step

MIRRORS = [
    ("DocumentOut", DocumentSummary, {"url", "versions_url"}),
    ("VersionOut", VersionRow, {"url"}),
    ("VersionDetail", VersionRow, {"url", "document_id", "clauses_in_order"}),
    ("StepOut", Step, {"url"}),
    ("ChangeDetail", Step, {"url", "clause_changes"}),
    ("ChangeRow", ChangeRow, set()),
    ("StoredClause", StoredClause, set()),
    ("SourceRow", SourceRow, set()),
]


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    from tracker.store.db import open_database

    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'tracker.db'}"
    open_database(url).kw["bind"].dispose()
    return create_app(url).openapi()["components"]["schemas"]


@pytest.mark.parametrize("name, record, links", MIRRORS, ids=[m[0] for m in MIRRORS])
def test_each_api_answer_has_exactly_its_records_fields_and_links(schemas, name, record, links):
    assert set(schemas[name]["properties"]) == {f.name for f in fields(record)} | links


def test_nested_records_are_the_read_sides_own(schemas):
    detail = schemas["ChangeDetail"]["properties"]["clause_changes"]["items"]
    assert detail == {"$ref": "#/components/schemas/ChangeRow"}
    clauses = schemas["VersionDetail"]["properties"]["clauses_in_order"]["items"]
    assert clauses == {"$ref": "#/components/schemas/StoredClause"}
