"""A rewritten clause change in a digest reads like a split or merge: counted by kind in its
step's summary, its badge coloured like theirs, its redline in both parts."""

from email import message_from_bytes, policy

from rewritten_policy import import_both


def test_a_rewritten_change_is_counted_coloured_and_redlined_in_the_digest(tracker_cli, tmp_path):
    import_both(tracker_cli, tmp_path)
    tracker_cli("subscribe", "reader@example.com")
    assert "1 digest(s) written" in tracker_cli("digest", "--preview", str(tmp_path / "out"), "--since", "2000").output
    [eml] = (tmp_path / "out").glob("reader@example.com-*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "1 material clause change (1 rewritten)" in text and "1 material clause change (1 rewritten)" in html
    assert "#1 rewritten in Privacy Policy" in text and "[-one year-]{+two years+}" in text
    assert "background:#ddf4ff;color:#0550ae;\">rewritten</span>" in html
