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

from tracker.normalize._linklists import drop_link_lists
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
# The attributes the chrome rules read, and those that can hide an element.
_READ = frozenset({"class", "id", "role", "href", "hidden", "aria-hidden", "style"})
_HIDING = frozenset({"hidden", "aria-hidden", "style"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SKIP_TEXT = re.compile(r"(?:skip|jump) to\b|(?:back|return|go) to (?:the )?top\b|top of (?:the )?page\b", re.I)
_MOST_OF_PAGE = 0.5
_SHORT_CHROME = 50  # characters of prose: a label, not a paragraph


def policy_root(root: etree._Element, choose_main: bool = True, emails: bool = True) -> etree._Element:
    """The body without its chrome, pruned down to the policy and its lead-in. When an
    override's `select` already chose the content (`choose_main` False), only what never
    shows (hidden elements, scripts) is dropped: the rule's author decides the rest.
    `emails` False: the page holds no Cloudflare-hidden address (saves searching for one)."""
    body = root.find("body")
    if body is None:
        body = root
    etree.strip_elements(body, *_NO_TEXT_TAGS, with_tail=False)
    if emails:
        _reveal_emails(body)
    original, chrome = _measure(body, _chrome_verdict if choose_main else _is_hidden)
    limit = _MOST_OF_PAGE * original[body][0]
    chrome = [element for element in chrome if original[element][0] < limit]
    if not choose_main:
        for element in chrome:
            _drop(element)
        return body
    sizes = dict(original)
    for element in chrome:
        _drop(element, sizes)
    top = _main_content(body, sizes, original)
    drop_link_lists(top)
    return top


def _drop(element: etree._Element, sizes: dict | None = None) -> None:
    """Remove an element and its content but keep the text that follows it; `sizes` are
    brought up to date for the elements around it, as `_measure` would find them again."""
    tail, previous, parent = element.tail, element.getprevious(), element.getparent()
    chars, links = sizes[element] if sizes is not None else (0, 0)
    gone = chars + _length(tail)
    if tail:
        if previous is not None:
            gone += _length(previous.tail)
            previous.tail = (previous.tail or "") + tail
            gone -= _length(previous.tail)
        else:
            gone += _length(parent.text)
            parent.text = (parent.text or "") + tail
            gone -= _length(parent.text)
    parent.remove(element)
    if sizes is not None:
        _shrink(sizes, parent, gone, links)


def _shrink(sizes: dict, element: etree._Element, chars: int, links: int) -> None:
    """Take `chars` characters of text, `links` of them link text, from `element` and its
    ancestors (a link's text is all link text, whatever it holds)."""
    while chars or links:
        old_chars, old_links = sizes[element]
        new_chars = old_chars - chars
        new_links = new_chars if element.tag == "a" else old_links - links
        sizes[element] = (new_chars, new_links)
        links = old_links - new_links
        element = element.getparent()
        if element is None or element not in sizes:  # above the body
            return


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


def _measure(body: etree._Element, verdict) -> tuple[dict[etree._Element, tuple[int, int]], list]:
    """Text sizes of every element and the outermost chrome elements, in one walk of the tree.

    A size is (characters of text, characters of link text), each piece of text stripped on
    its own. `verdict(element)` says whether an element is chrome: True, False, or None when
    its size decides (known at its end, so the elements inside it are judged meanwhile and
    forgotten if it is chrome). Nothing inside chrome is judged.
    """
    sizes: dict[etree._Element, tuple[int, int]] = {}
    shared: dict[tuple[int, int], tuple[int, int]] = {}  # one tuple per distinct size: pages repeat them
    chrome: list[etree._Element] = []
    waiting: list[tuple[etree._Element, int]] = []  # undecided elements, with len(chrome) at their start
    inside = None  # the chrome element being walked through
    chars = 0  # characters of text so far, in document order
    linked = [0]  # linked[d]: characters so far of text inside more than d links
    depth = 0  # links open around the current text
    starts: list[tuple] = []  # of each open element: chars and linked[depth] at its start, its tag
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if event == "start":
            tag = element.tag
            starts.append((chars, linked[depth], tag))
            if tag.__class__ is not str:
                continue  # a comment's text is not text
            if tag == "a":
                depth += 1
                if depth == len(linked):
                    linked.append(0)
            text = element.text
            if text:
                length = len(text.strip())
                chars += length
                for d in range(depth):
                    linked[d] += length
            if inside is None and element is not body:
                judged = verdict(element)
                if judged:
                    chrome.append(element)
                    inside = element
                elif judged is None:
                    waiting.append((element, len(chrome)))
            continue
        start_chars, start_linked, tag = starts.pop()
        if tag.__class__ is str:
            if tag == "a":
                depth -= 1
                size = (chars - start_chars,) * 2
            else:
                size = (chars - start_chars, linked[depth] - start_linked)
            sizes[element] = size = shared.setdefault(size, size)
            if element is inside:
                inside = None
            elif waiting and waiting[-1][0] is element:
                mark = waiting.pop()[1]
                if _link_dense(size) or _prose(size) < _SHORT_CHROME:
                    del chrome[mark:]
                    chrome.append(element)
        text = element.tail
        if text and element is not body:
            length = len(text.strip())
            chars += length
            for d in range(depth):
                linked[d] += length
    return sizes, chrome


def _chrome_verdict(element: etree._Element) -> bool | None:
    """Whether the element is chrome; None: when its size shows links or a label."""
    tag = element.tag
    keys = element.keys()
    if _READ.isdisjoint(keys):  # most elements: every other rule reads one of these attributes
        return tag in _CHROME_TAGS or (tag in _PAGE_LEVEL_TAGS and _is_page_level(element))
    if tag in _CHROME_TAGS or (tag == "a" and _is_skip_link(element)) or (
            not _HIDING.isdisjoint(keys) and _is_hidden(element)):
        return True
    role = element.get("role") if "role" in keys else None
    ident = element.get("id") if "id" in keys else None
    if role in _CHROME_ROLES or (ident and ident.startswith("wm-ipp")):  # the Wayback toolbar
        return True
    if (tag in _PAGE_LEVEL_TAGS or role in _PAGE_LEVEL_ROLES) and _is_page_level(element):
        return True
    names = element.get("class", "") if "class" in keys else ""
    if ident:
        names += " " + ident
    if not names or tag in _HEADING_TAGS:  # a heading's id is its own text: "with-your-consent"
        return False
    page_level, chrome, navigation = _token_verdict(names)
    if chrome or (page_level and _is_page_level(element)):
        return True
    return None if navigation else False


@functools.lru_cache(maxsize=4096)
def _token_verdict(names: str) -> tuple[bool, bool, bool]:
    """What the id and class tokens say: a page-level footer, chrome whatever its size, or
    navigation (chrome when it is mostly links or a label)."""
    tokens = _name_tokens(names)
    return (bool(tokens & _PAGE_LEVEL_TOKENS), bool(tokens & _VENDOR_TOKENS) or _pair(tokens, *_CONSENT_PAIR),
            bool(tokens & _NAV_TOKENS) or _pair(tokens, *_SHARE_PAIR))


def _is_skip_link(element: etree._Element) -> bool:
    """A "skip to content" or "back to top" link, whatever it is called."""
    if element.tag != "a" or not element.get("href", "").startswith("#"):
        return False
    return bool(_SKIP_TEXT.match("".join(element.itertext()).strip()))


def _pair(tokens: frozenset[str], first: frozenset[str], second: frozenset[str]) -> bool:
    """Two different tokens, one from each set: "cookie consent", not "consent" alone."""
    return any(a != b for a in tokens & first for b in tokens & second)


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


def _main_content(body: etree._Element, sizes: dict, original: dict) -> etree._Element:
    """The element holding the bulk of the page's prose, pruned of what surrounds the policy.

    Link text does not count, so navigation columns and link footers weigh nothing. From the
    top, descend into the child holding the bulk of the prose, dropping its siblings, until
    the prose is spread over several children: short sections and lists beside the longest
    one are kept. The lead-in before the bulk (title, "last updated" line, intro) sits beside
    the policy body, not inside it, so it is kept too.
    """
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
