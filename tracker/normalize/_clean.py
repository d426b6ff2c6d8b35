"""Selector-free chrome removal and choice of the element that holds the policy.

`policy_root(document)` returns the element to read the policy from, in two steps: remove
the chrome, then descend to the element that holds the bulk of the page's prose.

Chrome is recognised by what it is (tags, ARIA roles, hidden flags) and by the id/class tokens
sites give it ("cookie-banner", "breadcrumbs", "navbar"). Tokens, not substrings: a policy's
`#information-sharing` section is not a share widget. One guard overrides every rule: an
element holding most of the page's text is never chrome (ASP.NET pages wrap the whole page in
a <form>, modal libraries set aria-hidden on the page root while a banner is open).
"""

import functools
import re

from lxml import etree

from tracker.normalize.scope import names_privacy_policy

# Elements that never show policy text.
_NO_TEXT_TAGS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "map", "input", "button", "select", "textarea", "option",
    "optgroup", "datalist", "output", "progress", "meter",
)
_CHROME_TAGS = frozenset({"nav", "aside", "form", "dialog"})
_PAGE_LEVEL_TAGS = frozenset({"header", "footer"})
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
_CHROME_ROLES = frozenset({"navigation", "menu", "menubar", "search", "dialog", "alertdialog"})
_PAGE_LEVEL_ROLES = frozenset({"banner", "contentinfo"})

# The site's footer when outside article/section/main. ("header" is not here: page headers
# often hold the policy's title and date.)
_PAGE_LEVEL_TOKENS = frozenset({"footer", "sitefooter", "pagefooter"})
# Tokens that name navigation; the element must also look like it (mostly links, or a label).
_NAV_TOKENS = frozenset({
    "nav", "navbar", "navigation", "navlinks", "navmenu", "sidenav", "menu", "menubar", "megamenu",
    "submenu", "breadcrumb", "breadcrumbs", "crumbs", "skip", "skiplink", "skiplinks", "skipnav",
    "toolbar", "topbar", "sidebar", "pagination", "pager", "toc", "tableofcontents", "tableofcontent",
})
# Tokens that name chrome only in pairs of two different tokens: "cookie" + "banner" is a
# consent banner, "consent" alone may be a policy section; "share" + "buttons" is a widget
# (which must also look like navigation), "sharing" alone may be a policy section.
_CONSENT_PAIR = (
    frozenset({"cookie", "cookies", "consent", "gdpr", "cc", "optanon"}),
    frozenset({"banner", "bar", "notice", "notification", "popup", "modal", "dialog", "overlay",
               "alert", "prompt", "message", "consent"}),
)
_SHARE_PAIR = (
    frozenset({"share", "sharing", "social"}),
    frozenset({"button", "buttons", "link", "links", "icon", "icons", "bar", "widget", "tools", "follow"}),
)
# Consent-management and share-widget vendors whose names appear on their widgets only (not
# on the cookie lists they embed in policies, e.g. OneTrust's "ot-sdk-cookie-policy").
_VENDOR_TOKENS = frozenset({
    "onetrust", "cookiebot", "cybotcookiebotdialog", "didomi", "usercentrics", "cmplz",
    "cookieyes", "osano", "addthis", "sharethis",
})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SKIP_TEXT = re.compile(r"(?:skip|jump) to\b|(?:back|return|go) to (?:the )?top\b|top of (?:the )?page\b", re.I)
_MOST_OF_PAGE = 0.5
_SHORT_CHROME = 50  # characters of prose: a label, not a paragraph


def policy_root(root: etree._Element, choose_main: bool = True) -> etree._Element:
    """The body without its chrome, pruned down to the policy and its lead-in. When an
    override's `select` already chose the content (`choose_main` False), only what never
    shows (hidden elements, scripts) is dropped: the rule's author decides the rest."""
    body = root.find("body")
    if body is None:
        body = root
    etree.strip_elements(body, *_NO_TEXT_TAGS, with_tail=False)
    _reveal_emails(body)
    original = _text_sizes(body)
    if not choose_main:
        _strip_chrome(body, original, _is_hidden_element)
        return body
    _strip_chrome(body, original, _is_chrome)
    return _main_content(body, original)


def _strip_chrome(body: etree._Element, sizes: dict, is_chrome) -> None:
    limit = _MOST_OF_PAGE * sizes[body][0]
    for element in _chrome_elements(body, sizes, is_chrome):
        if sizes[element][0] < limit:
            _drop(element)


def _drop(element: etree._Element) -> None:
    """Remove an element and its content but keep the text that follows it."""
    tail, previous, parent = element.tail, element.getprevious(), element.getparent()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _reveal_emails(body: etree._Element) -> None:
    """Decode Cloudflare's e-mail obfuscation, which shows "[email protected]" instead of the
    address: the address is policy text (a changed contact address is a change)."""
    for element in body.xpath(".//*[@data-cfemail]"):
        email = _cloudflare_email(element.get("data-cfemail"))
        if email:
            for child in list(element):
                element.remove(child)
            element.text = email


def _cloudflare_email(encoded: str) -> str | None:
    """The first byte is the XOR key of the others."""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    return bytes(b ^ data[0] for b in data[1:]).decode("utf-8", "replace")


def _chrome_elements(body: etree._Element, sizes: dict, is_chrome) -> list[etree._Element]:
    """Outermost elements that `is_chrome(element, size)`, in document order."""
    found = []
    walker = etree.iterwalk(body, events=("start",), tag=etree.Element)
    for _, element in walker:
        if element is not body and is_chrome(element, sizes[element]):
            found.append(element)
            walker.skip_subtree()
    return found


def _is_chrome(element: etree._Element, size: tuple[int, int]) -> bool:
    tag = element.tag
    if not element.attrib:  # most elements: every other rule reads an attribute
        return tag in _CHROME_TAGS or (tag in _PAGE_LEVEL_TAGS and _is_page_level(element))
    if tag in _CHROME_TAGS or _is_hidden(element) or _is_skip_link(element):
        return True
    role = element.get("role")
    if role in _CHROME_ROLES or element.get("id", "").startswith("wm-ipp"):  # the Wayback toolbar
        return True
    if (tag in _PAGE_LEVEL_TAGS or role in _PAGE_LEVEL_ROLES) and _is_page_level(element):
        return True
    tokens = _tokens(element)
    if not tokens or tag in _HEADING_TAGS:  # a heading's id is its own text: "with-your-consent"
        return False
    if tokens & _PAGE_LEVEL_TOKENS and _is_page_level(element):
        return True
    if tokens & _VENDOR_TOKENS or _pair(tokens, *_CONSENT_PAIR):
        return True
    links_or_label = _link_dense(size) or _prose(size) < _SHORT_CHROME
    return links_or_label and bool(tokens & _NAV_TOKENS or _pair(tokens, *_SHARE_PAIR))


def _is_skip_link(element: etree._Element) -> bool:
    """A "skip to content" or "back to top" link, whatever it is called."""
    if element.tag != "a" or not element.get("href", "").startswith("#"):
        return False
    return bool(_SKIP_TEXT.match("".join(element.itertext()).strip()))


def _pair(tokens: frozenset[str], first: frozenset[str], second: frozenset[str]) -> bool:
    """Two different tokens, one from each set: "cookie consent", not "consent" alone."""
    return any(a != b for a in tokens & first for b in tokens & second)


def _is_hidden_element(element: etree._Element, _size: tuple[int, int]) -> bool:
    return _is_hidden(element)


def _is_hidden(element: etree._Element) -> bool:
    style = element.get("style")
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden", "").strip().lower() == "true"
        or bool(style and _HIDDEN_STYLE.search(style))
    )


def _is_page_level(element: etree._Element) -> bool:
    """A header/footer is the site's banner only outside article/section/main (as in ARIA)."""
    return not any(a.tag in _SECTIONING or a.get("role") == "main" for a in element.iterancestors())


def _tokens(element: etree._Element) -> frozenset[str]:
    names = element.get("class", "")
    if element.get("id"):
        names += " " + element.get("id")
    return _name_tokens(names) if names else frozenset()


@functools.lru_cache(maxsize=4096)
def _name_tokens(names: str) -> frozenset[str]:
    """Words of id and class names: "cookieBanner top-nav" -> cookie, banner, cookiebanner, top,
    nav, topnav."""
    tokens: set[str] = set()
    for name in names.split():
        words = [w.lower() for w in _WORD.findall(name)]
        tokens.update(words)
        tokens.add("".join(words))
    tokens.discard("")
    return frozenset(tokens)


def _text_sizes(body: etree._Element) -> dict[etree._Element, tuple[int, int]]:
    """(characters of text, characters of link text) of every element, computed bottom-up."""
    sizes: dict[etree._Element, tuple[int, int]] = {}
    shared: dict[tuple[int, int], tuple[int, int]] = {}  # one tuple per distinct size: pages repeat them
    for element in reversed(list(body.iter(etree.Element))):
        chars, links = _length(element.text), 0
        for child in element:
            child_chars, child_links = sizes.get(child, (0, 0))
            chars += child_chars + _length(child.tail)
            links += child_links
        size = (chars, chars if element.tag == "a" else links)
        sizes[element] = shared.setdefault(size, size)
    return sizes


def _length(text: str | None) -> int:
    return len(text.strip()) if text else 0


# --- main content ---------------------------------------------------------------------------

# Descend while one child holds this share of the page's prose (text outside links).
_BULK = 0.9
_LANDMARK_SHARE = 0.6
# A paragraph is never a container: descending into it would drop the title and intro beside it.
_LEAF_BLOCKS = frozenset({"p", "li", "dt", "dd", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING = etree.XPath(
    "boolean(descendant-or-self::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6])"
)
_LANDMARKS = etree.XPath(".//main | .//*[@role='main']")


def _main_content(body: etree._Element, original: dict) -> etree._Element:
    """The element holding the bulk of the page's prose, pruned of what surrounds the policy.

    Link text does not count, so navigation columns and link footers weigh nothing. From the
    top, descend into the child holding the bulk of the prose, dropping its siblings, until
    the prose is spread over several children: short sections and lists beside the longest
    one are kept. The lead-in before the bulk (title, "last updated" line, intro) sits beside
    the policy body, not inside it, so it is kept too.
    """
    sizes = _text_sizes(body)
    top = _landmark(body, sizes)
    if top is None:
        top = body
    total = _prose(sizes[top])
    steps = []
    node = top
    while total:
        best = max((c for c in node if c in sizes), key=lambda c: _prose(sizes[c]), default=None)
        if best is None or best.tag in _LEAF_BLOCKS or _prose(sizes[best]) < _BULK * total:
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
        if _link_dense(original.get(sibling, (0, 0))):
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
    rest = _prose(original.get(element, (0, 0))) - _prose(original.get(heading, (0, 0)))
    return rest >= _SHORT_CHROME and names_privacy_policy(title)


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


def _link_dense(size: tuple[int, int]) -> bool:
    chars, links = size
    return links > 0 and 2 * links >= chars


def _prose(size: tuple[int, int]) -> int:
    return size[0] - size[1]


def _landmark(body: etree._Element, sizes: dict) -> etree._Element | None:
    """The page's <main> (or role=main), when the author marked the bulk of the prose with it."""
    for element in _LANDMARKS(body):
        if _prose(sizes[element]) >= _LANDMARK_SHARE * _prose(sizes[body]):
            return element
    return None
