"""The policy twice on one page in some captures only (a modal over the page, a responsive
layout's mobile copy before the desktop one, which alone has the "Last updated" line): those
captures start no version, and a new date in the line still does. Through the archive server
on loopback."""

import pytest
from capture_history import history, versions_of

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

SECTIONS = "".join(
    f"<h2>Part {n}</h2><p>Part {n} of this notice says how Quill Notes keeps the notes, tags and sign-in records of "
    f"each writer, and for how long they stay on its servers.</p>" for n in range(8))


def dated(date: str) -> str:
    return f"<h1>Privacy Policy</h1><p>Last updated: {date}</p>{SECTIONS}"


def page(*copies: str) -> bytes:
    return f"<html><body><main>{''.join(f'<div>{c}</div>' for c in copies)}</main></body></html>".encode()


UNDATED = f"<h1>Privacy Policy</h1>{SECTIONS}"


def test_a_modal_copy_in_some_captures_only(database_url, tmp_path, archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(dated("May 5, 2025")), "20250201000000": page(dated("May 5, 2025"), dated("May 5, 2025")),
        "20250301000000": page(dated("May 5, 2025")) + b" ",
        "20250401000000": page(dated("May 5, 2025"), dated("May 5, 2025")) + b" "})
    assert versions_of(world) == [1, 1, 1, 1]


def test_a_mobile_copy_without_the_date_before_the_desktop_copy_from_some_capture_on(database_url, tmp_path,
                                                                                    archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(dated("May 5, 2025")), "20250201000000": page(UNDATED, dated("May 5, 2025")),
        "20250301000000": page(UNDATED, dated("May 5, 2025")) + b" ",
        "20250401000000": page(UNDATED, dated("May 5, 2025")) + b"  ",
        "20250501000000": page(UNDATED, dated("June 9, 2025")), "20250601000000": page(dated("June 9, 2025"))})
    assert versions_of(world) == [1, 1, 1, 1, 2, 2]
