"""The element that holds the policy: the bulk of the page's prose, with its lead-in.

Chrome removal (tracker.normalize._clean) leaves the site's layout around the policy: columns,
promotion banners, link footers. Sizes of text (tracker.normalize._measure) lead from the body
down to the policy, as described in `main_content`.
"""

from lxml import etree

from tracker.normalize.scope import names_privacy_policy

SHORT_PROSE = 50  # characters of prose: a label, not a paragraph
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Descend while one child holds this share of the page's prose (text outside links).
_BULK = 0.9
_LANDMARK_SHARE = 0.6
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
    a page builder sets in a section apart from its body).
    """
    top = _landmark(body, sizes, landmarks)
    if top is None:
        top = body
    total = prose(sizes[top])
    steps = []
    node = top
    while total and node not in whole:
        best = max((c for c in node if c in sizes), key=lambda c: prose(sizes[c]), default=None)
        if best is None or best.tag in _LEAF_BLOCKS or prose(sizes[best]) < _BULK * total:
            break
        steps.append((node, best))
        node = best
    for i, (parent, bulk) in enumerate(steps):
        _keep_only(parent, bulk, _lead_in(bulk, original, last=i == len(steps) - 1))
    return top


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
        if link_dense(original.get(sibling, (0, 0))):
            break
        if last or (sibling.tag == "header" and _HEADING(sibling)) or _policy_intro(sibling, original):
            count = i
    return count


def _policy_intro(element: etree._Element, original: dict) -> bool:
    """The element's first heading names a privacy policy ("Acme Privacy Policy") and prose
    follows it."""
    heading = next(element.iter(*_HEADING_TAGS), None)
    if heading is None:
        return False
    title = " ".join("".join(heading.itertext()).split())
    rest = prose(original.get(element, (0, 0))) - prose(original.get(heading, (0, 0)))
    return rest >= SHORT_PROSE and names_privacy_policy(title)


def _keep_only(parent: etree._Element, bulk: etree._Element, lead_in: int) -> None:
    """Drop the children of `parent` but `bulk` and the `lead_in` siblings before it."""
    children = list(parent)
    end = children.index(bulk)
    start = end - lead_in
    for child in children[:start] + children[end + 1:]:
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
