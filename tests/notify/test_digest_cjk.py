"""A digest of a Chinese policy's revision, end to end: two real consecutive Doubao captures
(tests/data/pages) served by the loopback archive, backfilled, mailed through aiosmtpd."""

import unicodedata

from corpora import DATA
from mail_world import World

DOUBAO = "https://www.doubao.com/legal/privacy"
CAPTURES = {"20240529063049": "doubao-20240529063049.html", "20240614063216": "doubao-20240614063216.html"}


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_chinese_revision_digest_is_flagged_and_wrapped_by_columns(tmp_path, archive, inbox):
    for timestamp, name in CAPTURES.items():
        archive.add_capture(DOUBAO, timestamp, (DATA / "pages" / name).read_bytes())
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, inbox.port)
    world.track((DOUBAO, "doubao.com"))
    world.subscribe("reader@example.org")
    world.backfill()

    world.send()

    [message] = inbox.messages("reader@example.org")
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    # The account-deletion clause newly promises not to use retained data (不会): flagged.
    assert "negation_added" in text and "user_access_edit_deletion" in text
    assert "并不会将该等信息用于日常业务活动中" in page.replace("\n", "")
    # Only the stated dates changed in two clauses: cosmetic, so not in a material digest.
    assert "更新日期" not in text and "生效日期" not in text
    # Redline lines fit 4 + 92 columns (a CJK character is two), never cut a marker in two
    # and never start with one that closes or end with one that opens.
    redline = [line.strip() for line in text.splitlines() if line.startswith("    ") and any(
        unicodedata.east_asian_width(c) == "W" for c in line)]
    assert len(redline) > 3 and all(columns(line) <= 92 for line in redline)
    assert not any(line.startswith(("]", "}", "-]", "+}")) for line in redline)
    assert not any(line.endswith(("[", "{", "[-", "{+")) for line in redline)
    joined = "".join(redline)
    assert joined.count("[-") == joined.count("-]") and joined.count("{+") == joined.count("+}")
