"""A policy rendered twice on one page (a responsive layout's two copies, a modal beside the
page) is kept once; a box of text the policy itself repeats stays twice.

Pages: tests/data/scope/policy-once.html and policy-twice-*.html (hand-made, see the README
in tests/data/pages)."""

from corpora import DATA

from tracker.normalize import normalize, sequence_hash

SCOPE = DATA / "scope"


def page(name: str):
    return normalize((SCOPE / name).read_bytes())


def test_policy_rendered_twice_is_the_policy_once():
    once = page("policy-once.html")
    for name in ("policy-twice-responsive.html", "policy-twice-modal.html"):
        twice = page(name)
        assert sequence_hash(twice.blocks) == sequence_hash(once.blocks), name
        (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
        assert copy.blocks >= 12 and copy.words > 150


def test_a_box_the_policy_repeats_in_two_sections_stays_twice():
    box = "".join(f"<li>Shared with advertising partners: item {n} of the data listed for this purpose, "
                  f"kept no longer than the campaign it serves.</li>" for n in range(8))
    sections = "".join(
        f"<h2>Section {n}</h2><p>{'This section explains one more way we process personal data. ' * 12}</p>"
        for n in range(12))
    html = (f"<html><body><main><h1>Privacy Policy</h1>{sections}<h3>Marketing partners</h3><ul>{box}</ul>"
            f"{sections.replace('Section', 'Part')}<h3>Marketing partners</h3><ul>{box}</ul></main></body></html>")
    doc = normalize(html.encode())
    assert sum(b.text == "Marketing partners" for b in doc.blocks) == 2
    assert not any(d.reason == "the same text again in the page" for d in doc.dropped)
