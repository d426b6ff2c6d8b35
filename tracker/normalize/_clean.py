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
from dataclasses import replace

from lxml import etree

from tracker.normalize._main import SHORT_PROSE, link_dense, main_content, prose
from tracker.normalize._measure import Judge, Measure, inner_text, measure, reveal_emails
from tracker.normalize.text import word_count

# Elements that never show policy text. A button is not among them: the one that opens a tab
# or an accordion panel names it (tracker.normalize._documents), so buttons are chrome,
# measured (their marks read) and dropped with it.
_NO_TEXT_TAGS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "map", "input", "select", "textarea", "option",
    "optgroup", "datalist", "output", "progress", "meter",
)
_CHROME_TAGS = frozenset({"nav", "aside", "form", "dialog", "button"})
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
# An in-page link's text that skips or returns ("Skip to content", "Back to top", "↑ Top"), or
# marks without a word: a heading's permalink ("#", "¶"), a footnote's "↩".
_SKIP_TEXT = re.compile(
    r"(?:skip|jump) to\b|(?:back|return|go) to (?:the )?top\b|top of (?:the )?page\b|\W*top\W*$|[^\w\s]+$", re.I)
_MOST_OF_PAGE = 0.5
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SLUG_CHARS = 12  # an id this long found in the element's text is that text's slug
_TEXT = etree.XPath("normalize-space(string())", smart_strings=False)
_DISCLOSED = etree.XPath("boolean(text()[normalize-space()] | *[not(self::summary)]//text()[normalize-space()]"
                         " | *[not(self::summary)]/following-sibling::text()[normalize-space()])")
LABEL_CHARS = 60  # a label names what it labels in a few words (a box's, a list's)


def page_body(root: etree._Element, noscript: bool = False) -> etree._Element:
    """The page's body without the elements that never show text (scripts, styles, media,
    form fields), a jump menu's links aside; `noscript`: with the content of its <noscript>
    elements, read when the scripted page shows no policy in the archive (the script that
    filled it did not run)."""
    body = root.find("body")
    if body is None:
        body = root
    for select in list(body.iter("select")):
        _jump_menu(select)
    if noscript:
        etree.strip_tags(body, "noscript")
    etree.strip_elements(body, *_NO_TEXT_TAGS, with_tail=False)
    return body


def _jump_menu(select: etree._Element) -> None:
    """A <select> whose options jump to places in the page (a hub's table of contents on
    small screens) is the menu of links it stands for: a <nav> of them replaces it, so that
    legal hubs read its links (tracker.normalize._documents) and chrome removal drops it."""
    jumps = [o for o in select.iter("option") if "#" in (o.get("value") or "")]
    if not jumps:
        return
    nav = etree.Element("nav")
    for option in jumps:
        etree.SubElement(nav, "a", href=option.get("value")).text = _TEXT(option)
    nav.tail = select.tail
    select.getparent().replace(select, nav)


def noscript_words(root: etree._Element) -> int:
    """The words the page shows only to a browser without scripts."""
    return sum(word_count(" ".join(element.itertext())) for element in root.iter("noscript"))


def measure_page(body: etree._Element, choose_main: bool = True) -> Measure:
    """The sizes, chrome and marks of `page_body` (`_measure`); when an override's `select`
    already chose the content (`choose_main` False), only hidden elements are chrome. Chrome
    holding most of the page (an ASP.NET page's <form>) is none: the page is measured again
    with it judged as content, so that the chrome inside it (breadcrumbs, menus) is judged and
    the marks of a legal hub's tabs and an accordion's buttons inside it are read."""
    judge = chrome_judge(choose_main)
    wide: set[etree._Element] = set()

    def content_wide(element: etree._Element, keys: list[str]) -> bool | None:
        return element not in wide and judge.verdict(element, keys)

    page = measure(body, judge)
    while choose_main and (found := {c for c in page.chrome if page.sizes[c][0] >= _MOST_OF_PAGE * page.sizes[body][0]}):
        wide.update(found)
        page = measure(body, replace(judge, verdict=content_wide))
    return page


def chrome_judge(choose_main: bool = True) -> Judge:
    """What `measure` judges chrome with: every rule below when the content is to be chosen,
    else only what hides an element."""
    return _CHROME if choose_main else _HIDDEN


def policy_root(body: etree._Element, page: Measure, choose_main: bool = True, whole: tuple = ()) -> etree._Element:
    """`page_body` without its chrome, pruned down to the policy and its lead-in (never inside
    the elements `whole`: a legal hub's parts kept, `_documents`). When an override's `select`
    already chose the content (`choose_main` False), only what never shows (hidden elements)
    is dropped: the rule's author decides the rest."""
    original = page.sizes
    limit = _MOST_OF_PAGE * original[body][0]
    chrome = [element for element in page.chrome if original[element][0] < limit]
    if not choose_main:
        for element in chrome:
            drop_element(element)
        return body
    for element in page.chrome:
        if original[element][0] >= limit:
            page.walk_into(element)
    sizes = dict(original)
    for element in chrome:
        drop_with_labels(element, sizes)
    return main_content(body, sizes, original, page.landmarks, whole)


def drop_with_labels(element: etree._Element, sizes: dict | None = None) -> None:
    """Drop `element` with what only labels it: the short title right before it that its
    `aria-labelledby` names ("Table of contents" above a menu), and the disclosure
    (<details>) around it when only its summary is left."""
    labels = element.get("aria-labelledby")
    if labels:
        label = _label_before(element, labels.split())
        if label is not None and len(_TEXT(label)) <= LABEL_CHARS and (sizes is None or label in sizes):
            drop_element(label, sizes)
    disclosure = next(element.iterancestors("details"), None)
    drop_element(element, sizes)
    if disclosure is not None and not _DISCLOSED(disclosure) and (sizes is None or disclosure in sizes):
        drop_element(disclosure, sizes)


def _label_before(element: etree._Element, ids: list[str]) -> etree._Element | None:
    """The element named by `ids` among the siblings before `element` or before its parent."""
    for node in (element, element.getparent()):
        for sibling in node.itersiblings(preceding=True) if node is not None else ():
            if sibling.get("id") in ids:
                return sibling
    return None


def drop_element(element: etree._Element, sizes: dict | None = None) -> None:
    """Remove an element and its content but keep the text that follows it; `sizes` are
    brought up to date for the elements around it, as `_measure` would find them again."""
    tail, previous, parent = element.tail, element.getprevious(), element.getparent()
    chars, links = _size(element, sizes) if sizes is not None else (0, 0)
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


def _size(element: etree._Element, sizes: dict) -> tuple[int, int]:
    """The element's characters of text and of link text, as the walk measured them; one
    inside chrome (a hub's document inside a block the walk judged chrome), whose inside the
    walk skips, is measured now."""
    found = sizes.get(element)
    if found is not None:
        return found
    inner, links = inner_text(element)
    chars = inner + len((element.text or "").strip())
    return chars, chars if element.tag == "a" else links


def _shrink(sizes: dict, element: etree._Element, chars: int, links: int) -> None:
    """Take `chars` characters of text, `links` of them link text, from `element` and its
    ancestors (a link's text is all link text, whatever it holds); the walk measured none of
    the ancestors inside chrome, so the first it measured comes first."""
    while element is not None and element not in sizes:
        element = element.getparent()
    while element is not None and (chars or links):
        old_chars, old_links = sizes[element]
        new_chars = old_chars - chars
        new_links = new_chars if element.tag == "a" else old_links - links
        sizes[element] = (new_chars, new_links)
        links = old_links - new_links
        element = element.getparent()
        if element is not None and element not in sizes:  # above the body
            return


def _chrome_verdict(element: etree._Element, keys: list[str]) -> bool | None:
    """Whether the element (with attributes `keys`) is chrome; None: when its size shows
    links or a label."""
    tag = element.tag
    if _READ.isdisjoint(keys):  # most elements: every other rule reads one of these attributes
        return (tag in _CHROME_TAGS and not _is_heading_button(element)) or (
        tag in _PAGE_LEVEL_TAGS and _is_page_level(element))
    if (tag in _CHROME_TAGS and not _is_heading_button(element)) or (tag == "a" and _is_skip_link(element)) or (
            not _HIDING.isdisjoint(keys) and is_hidden(element)):
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
    page_level, chrome, navigation = token_verdict(names)
    if (chrome or navigation) and ident and _own_words(ident, element):  # so is a styled title's
        page_level, chrome, navigation = token_verdict(element.get("class", "") if "class" in keys else "")
    if chrome or (page_level and _is_page_level(element)):
        return True
    if navigation and any(a.tag in _HEADING_TAGS for a in element.iterancestors()):
        return False  # a heading's inner box named for the in-page navigation that targets it
    return None if navigation else False


@functools.lru_cache(maxsize=4096)
def token_verdict(names: str) -> tuple[bool, bool, bool]:
    """What the id and class tokens say: a page-level footer, chrome whatever its size, or
    navigation (chrome when it is mostly links or a label)."""
    tokens = name_tokens(names)
    return (bool(tokens & _PAGE_LEVEL_TOKENS), bool(tokens & _VENDOR_TOKENS) or _pair(tokens, *_CONSENT_PAIR),
            bool(tokens & _NAV_TOKENS) or _pair(tokens, *_SHARE_PAIR))


def _links_or_label(size: tuple[int, int]) -> bool:
    return link_dense(size) or prose(size) < SHORT_PROSE


def _is_skip_link(element: etree._Element) -> bool:
    """A "skip to content" or "back to top" link, whatever it is called."""
    if element.tag != "a" or not element.get("href", "").startswith("#"):
        return False
    if len(element):
        reveal_emails(element)  # its text as shown: the walk reaches the addresses inside only later
    return bool(_SKIP_TEXT.match("".join(element.itertext()).strip()))


def _pair(tokens: frozenset[str], first: frozenset[str], second: frozenset[str]) -> bool:
    """Two different tokens, one from each set: "cookie consent", not "consent" alone."""
    return any(a != b for a in tokens & first for b in tokens & second)


def _hidden_verdict(element: etree._Element, _keys: list[str]) -> bool:
    return (element.tag == "button" and not _is_heading_button(element)) or is_hidden(element)


@functools.lru_cache(maxsize=4096)
def quiet_class(names: str) -> bool:
    """Whether class names say nothing of chrome: `_chrome_verdict`'s answer for an element
    that has only them and a tag it does not judge (most elements of a styled page)."""
    return not any(token_verdict(names))


# `_chrome_verdict` judges by tag alone an element without the attributes its rules read.
_CHROME = Judge(_chrome_verdict, _links_or_label, _CHROME_TAGS | _PAGE_LEVEL_TAGS, _READ, quiet_class)
_HIDDEN = Judge(_hidden_verdict, _links_or_label, frozenset({"button"}), _HIDING, lambda _: False)


def _is_heading_button(element: etree._Element) -> bool:
    """A button holding all of its heading's text: an accordion's section title (the heading
    opens its panel), the policy's words however the page draws it."""
    parent = element.getparent()
    return (element.tag == "button" and parent is not None and parent.tag in _HEADING_TAGS
            and _TEXT(parent) == _TEXT(element) != "")


def is_hidden(element: etree._Element) -> bool:
    style = element.get("style")
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden", "").strip().lower() == "true"
        or bool(style and _HIDDEN_STYLE.search(style))
    )


def show(element: etree._Element) -> None:
    """Take away what hides `element`: its tab or accordion panel is closed in this capture."""
    for name in ("hidden", "aria-hidden"):
        element.attrib.pop(name, None)
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style):
        element.set("style", _HIDDEN_STYLE.sub("", style))


def _is_page_level(element: etree._Element) -> bool:
    """A header/footer is the site's banner only outside article/section/main (as in ARIA)."""
    return not any(a.tag in _SECTIONING or a.get("role") == "main" for a in element.iterancestors())


def _own_words(ident: str, element: etree._Element) -> bool:
    """Whether the id is the element's own text made a slug ("why-doesnt-this-show-a-consent-
    banner" on a title reading "Why doesn't this show a consent banner?"): it names the text,
    not the element's part in the page."""
    slug = _NOT_ALNUM.sub("", ident.lower())
    return len(slug) >= _SLUG_CHARS and slug in _NOT_ALNUM.sub("", "".join(element.itertext()).lower())


def name_tokens(names: str) -> frozenset[str]:
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
