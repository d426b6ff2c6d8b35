"""A file over the size the normalizer reads is refused as too large, whatever else it lacks:
it was refused with "the text states no date", the size failing the dating silently."""

from tracker.normalize import MAX_BYTES


def test_a_file_over_the_size_cap_is_refused_as_too_large(tracker_cli, tmp_path):
    big = tmp_path / "big.md"
    paragraph = "We collect your email address and share it with our partners.\n\n"
    big.write_text("# Privacy Policy\n\n" + paragraph * (MAX_BYTES // len(paragraph) + 1))
    for extra in ((), ("--date", "2020-01-01")):
        result = tracker_cli("import", "files", str(big), "--provider", "Acme", *extra, "--quiet", ok=False)
        assert f"big.md: too large ({big.stat().st_size} bytes; at most {MAX_BYTES} are read)" in result.output
        assert "no date" not in result.output
    assert tracker_cli("list", "--json").output.strip() == "[]"
