"""The digest `tracker demo` writes (5 steps of 3 providers, one of them a whole rewrite)
reads in a minute: every provider's summary comes before any clause, the message stays small,
and every summary line leads to its clause."""

from email import message_from_bytes, policy

import lxml.html

from tracker.cli.demo import run_demo


def test_the_demo_digest_summarises_every_provider_first_in_under_100_kb(tmp_path):
    run_demo(tmp_path, lambda line: None)
    [eml] = (tmp_path / "digest").glob("*.eml")
    assert eml.stat().st_size <= 100_000
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    summaries = text.split("-- The clause changes --")[0]
    for provider in ("avoxi.com", "onebox.com", "voip.com"):
        assert f"== {provider} ==" in summaries
    assert summaries.count("Full comparison: tracker diff ") == 5
    assert "Rewritten: 0 % of the earlier text kept" in summaries  # avoxi.com's new policy

    tree = lxml.html.fromstring(message.get_body(("html",)).get_content())
    lines = [div for div in tree.iter("div") if div.text and div.text.startswith("• ")]
    assert lines
    for line in lines:
        refs = [element for element in line if element.text and element.text.startswith("#")]
        assert refs, line.text_content()
        for ref in refs:
            if ref.tag == "a":  # a link to the clause, listed further down
                target = tree.get_element_by_id(ref.get("href")[1:])
                assert target.text_content().split()[0] == ref.text
            else:  # a clause not listed: its number in the step's `tracker diff` (shown above)
                assert ref.text[1:].isdigit()
