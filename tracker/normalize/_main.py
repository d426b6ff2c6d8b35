"""The element that holds the policy: the bulk of the page's prose, with its lead-in.

Chrome removal (tracker.normalize._clean) leaves the site's layout around the policy: columns,
promotion banners, link footers. Sizes of text (tracker.normalize._measure) lead from the body
down to the policy, as described in `main_content`.
"""

from collections import Counter

from lxml import etree

from tracker.normalize.scope import names_privacy_policy

SHORT_PROSE = 50  # characters of prose: a label, not a paragraph
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Descend while one child holds this share of the page's prose (text outside links).
_BULK = 0.9
_LANDMARK_SHARE = 0.6
_TWIN_APART = 0.1  # the prose of the policy's two copies differs by at most this share,
_TWIN_SAME = 0.9  # and this share of their words are the same
# A paragraph is never a container: descending into it would drop the title and intro beside it.
_LEAF_BLOCKS = frozenset({"p", "li", "dt", "dd", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING = etree.XPath(
    "boolean(descendant-or-self::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6])"
)


def main_content(body: etree._Element, sizes: dict, original: dict, landmarks: list, whole: tuple = ()) -> etree._Element:
    """The element holding the bulk of the page's prose, pruned of what surrounds the policy.

    Link text does not count, so navigation columns and link footers weigh nothing. From the
    top, descend into the child holding the bulk of the prose, dropping its siblings, until
    the prose is spread over several children: short sections and lists beside the longest
    one are kept. The lead-in before the bulk (title, "last updated" line, intro) sits beside
    the policy body, not inside it, so it is kept too. `sizes` are those of the page as it
    is, `original` those before chrome removal; `landmarks` the <main> elements it had;
    `whole` the elements never descended into (a legal hub's document, whose title and date
    a page builder sets in a section apart from its body). Where the bulk is two children
    reading alike (the policy rendered twice, `_twin`), the descent goes on in the first and
    the same steps are taken in the second.
    """
    top = _landmark(body, sizes, landmarks)
    if top is None:
        top = body
    total = prose(sizes[top])
    steps: list[tuple[etree._Element, etree._Element, etree._Element | None]] = []
    twins: list[tuple[etree._Element, etree._Element]] = []  # the same steps in the policy's second copy
    node, twin_node = top, None
    while total and node not in whole:
        best = max((c for c in node if c in sizes), key=lambda c: prose(sizes[c]), default=None)
        if best is None or best.tag in _LEAF_BLOCKS:
            break
        if twin_node is not None:  # inside the first copy: the second's child in the same place follows
            counterpart = _counterpart(node, best, twin_node, sizes)
            if counterpart is None or prose(sizes[best]) < _BULK * total:
                break
            steps.append((node, best, None))
            twins.append((twin_node, counterpart))
            node, twin_node = best, counterpart
            continue
        twin = None
        if prose(sizes[best]) < _BULK * total:
            twin = _twin(best, sizes)
            if twin is None or prose(sizes[best]) + prose(sizes[twin]) < _BULK * total:
                break
            total = prose(sizes[best])  # each copy holds the page's policy from here on
        steps.append((node, best, twin))
        node, twin_node = best, None if twin is None else _unwrapped(twin, best, sizes)
    for i, (parent, bulk, twin) in enumerate(steps):
        _keep_only(parent, bulk, _lead_in(bulk, original, last=i == len(steps) - 1), twin)
    for i, (parent, bulk) in enumerate(twins):
        _keep_only(parent, bulk, _lead_in(bulk, original, last=i == len(twins) - 1))
    return top


def _twin(best: etree._Element, sizes: dict) -> etree._Element | None:
    """A sibling after `best` that reads as `best` does: the policy rendered a second
    time beside itself (a responsive layout's other breakpoint). The later copy goes whole
    with the repeated text (`_repeats`), recorded; kept here beside the first, and pruned as
    the first is, so that the two read alike."""
    size = prose(sizes[best])
    for child in best.itersiblings():
        other = sizes.get(child)
        if other is not None and abs(prose(other) - size) <= _TWIN_APART * size and _same_words(best, child):
            return child
    return None


def _unwrapped(copy: etree._Element, original: etree._Element, sizes: dict) -> etree._Element:
    """The copy inside the wrappers a layout may set around it (`<div class="d-md-none">`):
    while it is another element than the original's, its only child holding text."""
    while copy.tag != original.tag:
        inside = [c for c in copy if c in sizes and prose(sizes[c])]
        if len(inside) != 1:
            break
        copy = inside[0]
    return copy


def _counterpart(node: etree._Element, child: etree._Element, twin: etree._Element, sizes: dict) -> etree._Element | None:
    """The child of `twin` (the copy of `node`) in `child`'s place, when the two are built alike."""
    mine = [c for c in node if c in sizes]
    theirs = [c for c in twin if c in sizes]
    if len(mine) != len(theirs):
        return None
    found = theirs[mine.index(child)]
    return found if found.tag == child.tag else None


def _same_words(a: etree._Element, b: etree._Element) -> bool:
    words_a, words_b = Counter("".join(a.itertext()).split()), Counter("".join(b.itertext()).split())
    larger = max(sum(words_a.values()), sum(words_b.values()))
    return larger > 0 and sum((words_a & words_b).values()) >= _TWIN_SAME * larger


def _lead_in(bulk: etree._Element, original: dict, last: bool) -> int:
    """How many siblings before `bulk` form its lead-in (title, "last updated" line, intro).

    The lead-in reaches `bulk` with no link list in between, counting the menus already
    removed as chrome (hence the sizes of the `original` tree), so that site headers stay
    out. Above the innermost step, where layouts put promotion banners and heroes beside the
    content, only the policy's title block counts: a <header> holding a heading (an article's
    title, in HTML's terms), or a section that opens with a heading naming a privacy policy
    and holds an intro after it (page builders put the title and intro in a section of their
    own above the body's; a hero banner with the bare page title is left out as before).
    """
    count = 0
    for i, sibling in enumerate(bulk.itersiblings(preceding=True), 1):
        if link_dense(original.get(sibling, (0, 0))) and not _in_page(sibling):
            break
        if last or (sibling.tag == "header" and _HEADING(sibling)) or _policy_intro(sibling, original):
            count = i
    return count


def _in_page(links: etree._Element) -> bool:
    """Whether every link of `links` leads to a place in this page (`#...`): a tab bar or a
    table of contents of the policy, which the lead-in reaches across, where a site's menu
    leads to other pages."""
    targets = [a.get("href") or "" for a in links.iter("a")]
    return bool(targets) and all(t.startswith("#") and len(t) > 1 for t in targets)


def _policy_intro(element: etree._Element, original: dict) -> bool:
    """The element's first heading names a privacy policy ("Acme Privacy Policy") and prose
    follows it."""
    heading = next(element.iter(*_HEADING_TAGS), None)
    if heading is None:
        return False
    title = " ".join("".join(heading.itertext()).split())
    rest = prose(original.get(element, (0, 0))) - prose(original.get(heading, (0, 0)))
    return rest >= SHORT_PROSE and names_privacy_policy(title)


def _keep_only(parent: etree._Element, bulk: etree._Element, lead_in: int, twin: etree._Element | None = None) -> None:
    """Drop the children of `parent` but `bulk`, the `lead_in` siblings before it and its
    `twin` (the policy's second copy)."""
    children = list(parent)
    end = children.index(bulk)
    start = end - lead_in
    for child in children[:start] + children[end + 1:]:
        if child is not twin:
            parent.remove(child)  # with its tail: loose text between dropped siblings goes too
    bulk.tail = None
    if start > 0:
        parent.text = None


def link_dense(size: tuple[int, int]) -> bool:
    chars, links = size
    return links > 0 and 2 * links >= chars


def prose(size: tuple[int, int]) -> int:
    return size[0] - size[1]


def _landmark(body: etree._Element, sizes: dict, landmarks: list) -> etree._Element | None:
    """The page's <main> (or role=main), when the author marked the bulk of the prose with it
    (and it was not inside chrome removed since)."""
    for element in landmarks:
        if prose(sizes[element]) >= _LANDMARK_SHARE * prose(sizes[body]) and _under(element, body):
            return element
    return None


def _under(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())
