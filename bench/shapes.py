"""The corpus's real policies put into the kinds of page the tracker must read on pages it
has never seen, and checked for the same policy.

    .venv/bin/python bench/shapes.py [--corpus DIR] [--json] [--details]

For each corpus page, the latest capture the normalizer reads as a policy gives the original
clauses. Its policy's container (the smallest element holding the first and the last clause)
is then re-shaped, one shape at a time, and the page normalised again:
- twice: the container rendered a second time right after itself, as a responsive layout's
  other breakpoint renders it (`<div class="d-md-none">`); twice, modal: the copy in a closed
  modal dialog at the end of the page; twice, restyled: the copy after it with its headings
  set as bold paragraphs. Pass when the clauses are the original's.
- toc: a table of contents linking to the container's headings by #id opens the container
  (n/a without headings); toc, labelled: the same in a plain box (no `<nav>`) under "On this
  page", linking to the h2s and h3s. Pass when the clauses are the original's.
- joined: each run of sibling paragraphs joined into one, `<br>` between them; split: each
  paragraph of plain text cut into one paragraph per sentence; no-break spaces: the first
  three spaces of each text no-break ones; soft hyphens: one inside each word of eight
  letters or more; typed bullets: each list of plain items a run of paragraphs opening with
  "• ". Pass when the words are the original's (`diff.same_words`: the store records no new
  version).
- styled titles: each heading a bold paragraph (`<p class="section-title"><strong>`);
  accordion: each section (an h2 or h3 and what follows it up to the next) a closed panel
  (`hidden`, `collapse`) whose title is a button in a heading; details: each section a closed
  `<details>` titled by its `<summary>`. Pass when the words are the original's: the
  policy's text kept whole, titles included, whatever shows or hides it.
  tabs: each section a tab panel (the titles in a `role=tablist` before them, every panel
  but the first `hidden`); bootstrap tabs: each section a Bootstrap tab pane closed by its
  class, titled only by a `data-toggle="tab"` link. top links: a "Back to top" link after
  each section.
- menu: a product menu (a list of eight links) under the first heading; banner: a cookie
  consent dialog at the end of the container; languages: a row of language links, and
  breadcrumbs, opening the container; byline: a help center's author and the age of its
  last update ("Updated over a week ago"), share links: a row of links to social networks'
  share pages, and update notice ("We've updated our Privacy Policy. See what's changed"),
  opening the container; feedback ("Did this answer your question?"
  and its buttons), newsletter (a sign-up under its own heading), chat (a chat's greeting
  and button) and call to action ("Ready to get started?" over "Start your free trial"),
  closing it. Pass when the clauses are the original's.
- hub-links, hub-tabs, hub-accordion: the container becomes the second of three documents
  (the last of them in "hub-links, last", the first in "hub-tabs, first")
  of a legal hub (terms of service, the policy, an acceptable use policy: not of the
  policy's family, which a hub keeps with it), each document titled otherwise than by a
  heading element: a styled paragraph under a list of #anchor links, a tab label
  (`role=tab`, `aria-controls`; the other panels `hidden`), a button inside an accordion's
  heading (the other panels collapsed). hub-headings: each document titled by an `<h1>`;
  hub-capitals: no ids and no links, each document titled by a bold capital line;
  hub-bootstrap: Bootstrap's tab links and panes; hub-sidebar: a side menu of #anchor links,
  each section titled by a `<div>`; hub-labelled: no links, each section labelled by a
  `<span>` through `aria-labelledby`. Pass when the policy's words are recalled (>= 0.98
  of the original's, as a multiset) and no sentence of the two other documents is kept.
The original is the baseline: every shape passes on it by definition; the table prints each
shape's passes against the pages it applies to, and the pooled recall and leak (words of the
other documents kept, as a share of the words kept) of the hub shapes.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections import Counter
from pathlib import Path

import lxml.etree
import lxml.html

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tracker.archive import corpus_pages
from tracker.diff import same_words
from tracker.diff.words import words
from tracker.normalize import normalize
from tracker.normalize.text import normalize_text

SHARED = REPO.parent / "shared" / "corpus"
SNIPPET_WORDS = 6
RECALL_GOAL = 0.98
_SENTENCE_END = re.compile(r"(?<=[a-z]{2}[.!?])\s+(?=[A-Z])")  # not after "1.1." or "b."
_SKIPPED = {"script", "style", "noscript", "template", "head", "title"}

TERMS = [
    ("1. Acceptance of these Terms", [
        "By creating an account or using the service you agree to be bound by these Terms of Service.",
        "If you do not agree to these Terms, you may not access or use the service in any way.",
    ]),
    ("2. Your account", [
        "You must be at least eighteen years old to register and to hold an account with us.",
        "You are responsible for keeping your password secret and for every action taken under your account.",
    ]),
    ("3. Payment and renewal", [
        "Paid plans renew automatically at the end of each billing period until you cancel them.",
        "Fees are non-refundable except where the law of your country requires a refund.",
    ]),
    ("4. Limitation of liability", [
        "To the fullest extent permitted by law, our total liability shall not exceed the fees you paid in the last twelve months.",
        "These Terms are governed by the laws of the State of Delaware, without regard to its conflict of law rules.",
    ]),
]
USE_POLICY = [
    ("Prohibited conduct", [
        "You may not use the service to harass, threaten or impersonate another person.",
        "Sending unsolicited bulk messages or spreading malware through the service is forbidden.",
    ]),
    ("Enforcement", [
        "We may suspend or close an account that breaks this Acceptable Use Policy without notice.",
        "Repeated violations can lead to a permanent ban from every product we offer.",
    ]),
]
OTHER_SENTENCES = [sentence for _, paragraphs in TERMS + USE_POLICY for sentence in paragraphs]


def latest_policy(folder: Path):
    """(html bytes, page) of the latest capture read as a policy, or None."""
    for path in sorted(folder.glob("*.html"), reverse=True):
        body = path.read_bytes()
        page = normalize(body)
        if page.invalid_reason is None and len(page.blocks) >= 3:
            return body, page
    return None


def _text(element) -> str:
    return normalize_text(" ".join(_visible_text(element)))


def _title(element) -> str:
    """A heading's text as a reader sees it (its inline pieces joined as they are: "<span>T</span>he")."""
    return normalize_text("".join(_visible_text(element)))


def _visible_text(element):
    if not isinstance(element.tag, str) or element.tag in _SKIPPED:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _visible_text(child)
        if child.tail:
            yield child.tail


def _snippet(text: str, last: bool) -> str:
    found = normalize_text(text).split()
    return " ".join(found[-SNIPPET_WORDS:] if last else found[:SNIPPET_WORDS])


def find_container(root, blocks):
    """The policy's container: the smallest element holding the start of one of the first
    clauses and the end of one of the last ones (a clause's text may not be found as the page
    writes it: an address the page hides from robots), below the body. Found from the end (the
    deepest element holding it: elements come in document order), climbed to the start, which
    a menu's "Privacy Policy" link may repeat."""
    body = root.find("body")
    if body is None:
        return None
    elements = [e for e in body.iter() if isinstance(e.tag, str) and e.tag not in _SKIPPED]
    texts = {e: _text(e) for e in elements}
    long = [b for b in blocks if len(b.text.split()) >= SNIPPET_WORDS]  # a title's words are found in menus too
    for last in (_snippet(b.text, True) for b in long[:-4:-1]):
        deepest = next((e for e in reversed(elements) if last in texts[e]), None)
        for first in (_snippet(b.text, False) for b in long[:3]):
            found = deepest
            while found is not None and found is not body and first not in texts.get(found, ""):
                found = found.getparent()
            if found is not None and found is not body:
                return found
    return None


def _element(markup: str):
    return lxml.html.fragment_fromstring(markup)


def shape_twice(root, container) -> bool:
    copy_of = copy.deepcopy(container)
    wrapper = _element('<div class="d-md-none"></div>')
    wrapper.append(copy_of)
    container.addnext(wrapper)
    return True


def shape_toc(root, container) -> bool:
    headings = [h for h in container.iter("h2", "h3", "h4") if _text(h)]
    if len(headings) < 2:
        return False
    toc = _element('<nav class="toc"><ul></ul></nav>')
    items = toc.find("ul")
    for k, heading in enumerate(headings):
        heading.set("id", heading.get("id") or f"toc-section-{k}")
        item = _element("<li><a></a></li>")
        link = item.find("a")
        link.set("href", f"#{heading.get('id')}")
        link.text = _title(heading)
        items.append(item)
    container.insert(0, toc)
    return True


def shape_toc_labelled(root, container) -> bool:
    """A table of contents in a plain box under a label ("On this page"), the titles' links at
    every level the container has, opening the container."""
    headings = [h for h in container.iter("h2", "h3") if _text(h)]
    if len(headings) < 2:
        return False
    for k, heading in enumerate(headings):
        heading.set("id", heading.get("id") or f"on-page-{k}")
    items = "".join(f'<li><a href="#{heading.get("id")}"></a></li>' for heading in headings)
    box = _element(f'<div class="on-this-page"><p>On this page</p><ul>{items}</ul></div>')
    for link, heading in zip(box.iter("a"), headings, strict=True):
        link.text = _title(heading)
    container.insert(0, box)
    return True


def shape_joined(root, container) -> bool:
    joined = False
    for parent in list(container.iter()):
        run = []
        for child in list(parent):
            if child.tag == "p" and not (run and (run[-1].tail or "").strip()):
                run.append(child)
                continue
            joined |= _join(run)
            run = [child] if child.tag == "p" else []
        joined |= _join(run)
    return joined


def _join(run) -> bool:
    if len(run) < 2:
        return False
    first = run[0]
    for paragraph in run[1:]:
        first.append(_element("<br>"))
        first[-1].tail = paragraph.text
        for child in list(paragraph):
            first.append(child)
        first.tail = paragraph.tail
        paragraph.getparent().remove(paragraph)
    return True


def shape_split(root, container) -> bool:
    split = False
    for paragraph in list(container.iter("p")):
        if len(paragraph) or not paragraph.text:
            continue
        sentences = _SENTENCE_END.split(paragraph.text.strip())
        if len(sentences) < 2:
            continue
        paragraph.text = sentences[0]
        for sentence in reversed(sentences[1:]):
            new = _element("<p></p>")
            new.text = sentence
            paragraph.addnext(new)
        split = True
    return split


def _retyped(change):
    """A shape that rewrites each text of the container as `change` does."""
    def make(root, container) -> bool:
        for element in container.iter(lxml.etree.Element):
            if element.text:
                element.text = change(element.text)
            if element.tail and element is not container:
                element.tail = change(element.tail)
        return True
    return make


def shape_typed_bullets(root, container) -> bool:
    """Each list of plain items a run of paragraphs whose bullets are typed ("• ...")."""
    lists = [ul for ul in container.iter("ul") if len(ul) and all(li.tag == "li" for li in ul)]
    for ul in lists:
        run = _element("<div></div>")
        for item in list(ul):
            paragraph = _element("<p></p>")
            paragraph.text = "• " + (item.text or "")
            paragraph.extend(list(item))
            run.append(paragraph)
        run.tail = ul.tail
        ul.getparent().replace(ul, run)
    return bool(lists)


def _sections(container) -> list[tuple]:
    """(heading, the siblings after it up to the next heading of its tag) for the container's
    section headings (its h2s, else its h3s) that share their parent with their text."""
    for tag in ("h2", "h3"):
        headings = [h for h in container.iter(tag) if _text(h)]
        if len(headings) >= 2:
            break
    else:
        return []
    found = []
    for heading in headings:
        body = []
        for sibling in heading.itersiblings():
            if sibling.tag == heading.tag:
                break
            body.append(sibling)
        if body and not (heading.tail or "").strip():
            found.append((heading, body))
    return found if len(found) >= 2 else []


def _wrap(heading, body, title_markup: str, panel_markup: str, k: int) -> None:
    """Put the section's title in `title_markup` (its `{title}`) in place of its heading, and
    its body into `panel_markup`'s element, right after."""
    title = _element(title_markup.format(k=k))
    target = title.xpath(".//*[@data-title]")
    (target[0] if target else title).text = _title(heading)
    for element in (target[0] if target else title,):
        element.attrib.pop("data-title", None)
    heading.getparent().replace(heading, title)
    panel = _element(panel_markup.format(k=k))
    title.addnext(panel)
    for element in body:
        panel.append(element)


def _section_shape(title_markup: str, panel_markup: str, inside: bool = False):
    def make(root, container) -> bool:
        sections = _sections(container)
        for k, (heading, body) in enumerate(sections):
            if inside:  # the title inside the panel (a <details>' <summary>)
                panel = _element(panel_markup.format(k=k))
                heading.addprevious(panel)
                summary = _element(title_markup.format(k=k))
                summary.text = _title(heading)
                panel.append(summary)
                heading.getparent().remove(heading)
                for element in body:
                    panel.append(element)
            else:
                _wrap(heading, body, title_markup, panel_markup, k)
        return bool(sections)
    return make


def shape_tabs(root, container) -> bool:
    """Each section a tab panel: the titles in a tab list before the first, every panel but
    the first hidden."""
    sections = _sections(container)
    if not sections:
        return False
    tablist = _element('<div role="tablist"></div>')
    sections[0][0].addprevious(tablist)
    for k, (heading, body) in enumerate(sections):
        tab = _element(f'<button role="tab" id="tab-{k}" aria-controls="tabpanel-{k}" '
                       f'aria-selected="{"true" if k == 0 else "false"}"></button>')
        tab.text = _title(heading)
        tablist.append(tab)
        panel = _element(f'<div role="tabpanel" id="tabpanel-{k}" aria-labelledby="tab-{k}"></div>')
        if k:
            panel.set("hidden", "hidden")
        heading.addprevious(panel)
        heading.getparent().remove(heading)
        for element in body:
            panel.append(element)
    return True


def shape_top_links(root, container) -> bool:
    """A "Back to top" link after each section."""
    sections = _sections(container)
    for _heading, body in sections:
        body[-1].addnext(_element('<p class="back-to-top"><a href="#top">Back to top</a></p>'))
    return bool(sections)


def shape_languages(root, container) -> bool:
    container.insert(0, _element(
        '<div class="language-switcher"><a href="?lang=en">English</a> | <a href="?lang=de">Deutsch</a> | '
        '<a href="?lang=fr">Français</a> | <a href="?lang=es">Español</a></div>'))
    return True


def shape_breadcrumbs(root, container) -> bool:
    container.insert(0, _element(
        '<nav aria-label="breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
        '<li><a href="/legal">Legal</a></li><li aria-current="page">Privacy</li></ol></nav>'))
    return True


def shape_styled(root, container) -> bool:
    headings = [h for h in container.iter("h2", "h3", "h4") if _text(h)]
    for heading in headings:
        title = _element('<p class="section-title"><strong></strong></p>')
        title[0].text = _title(heading)
        title.tail = heading.tail
        if heading.get("id"):  # what links to the title or is labelled by it still finds it
            title.set("id", heading.get("id"))
        heading.getparent().replace(heading, title)
    return len(headings) >= 2


def shape_menu(root, container) -> bool:
    menu = _element('<ul class="product-menu">' + "".join(
        f'<li><a href="/{name.lower()}">{name}</a></li>' for name in MENU) + "</ul>")
    first = next((h for h in container.iter("h1", "h2") if _text(h)), None)
    if first is not None:
        first.addnext(menu)
    else:
        container.insert(0, menu)
    return True


def shape_banner(root, container) -> bool:
    container.append(_element(BANNER))
    return True


def _at_start(markup: str):
    def make(root, container) -> bool:
        container.insert(0, _element(markup))
        return True
    return make


def _at_end(markup: str):
    def make(root, container) -> bool:
        container.append(_element(markup))
        return True
    return make


def shape_twice_modal(root, container) -> bool:
    """A second copy in a closed modal dialog at the end of the page."""
    modal = _element('<div class="modal fade" id="policy-modal" tabindex="-1" role="dialog" aria-hidden="true">'
                     '<div class="modal-dialog"><div class="modal-content"><div class="modal-header">'
                     '<button type="button" class="close" data-dismiss="modal">&#215;</button></div>'
                     '<div class="modal-body"></div></div></div></div>')
    modal.xpath(".//*[@class='modal-body']")[0].append(copy.deepcopy(container))
    root.find("body").append(modal)
    return True


def shape_twice_restyled(root, container) -> bool:
    """A second copy for small screens whose headings are bold paragraphs."""
    other = copy.deepcopy(container)
    for heading in list(other.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        title = _element('<p class="mobile-heading"><strong></strong></p>')
        title[0].text = _title(heading)
        title.tail = heading.tail
        heading.getparent().replace(heading, title)
    wrapper = _element('<div class="mobile-only"></div>')
    wrapper.append(other)
    container.addnext(wrapper)
    return True


def shape_bootstrap_tabs(root, container) -> bool:
    """Each section a Bootstrap tab pane, closed by its class alone, titled only by a tab link
    (`data-toggle="tab"`) in a list before the panes."""
    sections = _sections(container)
    if not sections:
        return False
    nav = _element('<ul class="nav nav-tabs"></ul>')
    sections[0][0].addprevious(nav)
    panes = _element('<div class="tab-content"></div>')
    nav.addnext(panes)
    for k, (heading, body) in enumerate(sections):
        item = _element(f'<li class="nav-item"><a class="nav-link{" active" if k == 0 else ""}" data-toggle="tab" '
                        f'href="#pane-{k}"></a></li>')
        item[0].text = _title(heading)
        nav.append(item)
        pane = _element(f'<div class="tab-pane fade{" show active" if k == 0 else ""}" id="pane-{k}"></div>')
        panes.append(pane)
        heading.getparent().remove(heading)
        for element in body:
            pane.append(element)
    return True


def _document(paragraph_title: str, sections) -> str:
    inner = "".join(f"<h3>{title}</h3>" + "".join(f"<p>{text}</p>" for text in texts) for title, texts in sections)
    return paragraph_title + inner


def _hub(container, shell: str) -> None:
    hub = _element(shell.format(terms=_document("", TERMS), use=_document("", USE_POLICY)))
    container.getparent().replace(container, hub)
    hub.xpath(".//*[@id='privacy']")[0].append(container)


HUB_LINKS = (
    '<div class="legal"><ul class="legal-nav"><li><a href="#terms">Terms of Service</a></li>'
    '<li><a href="#privacy">Privacy Policy</a></li><li><a href="#use">Acceptable Use Policy</a></li></ul>'
    '<div id="terms"><p class="doc-title"><strong>Terms of Service</strong></p>{terms}</div>'
    '<div id="privacy"><p class="doc-title"><strong>Privacy Policy</strong></p></div>'
    '<div id="use"><p class="doc-title"><strong>Acceptable Use Policy</strong></p>{use}</div></div>'
)
HUB_LINKS_LAST = (  # the policy the last of the three
    '<div class="legal"><ul class="legal-nav"><li><a href="#terms">Terms of Service</a></li>'
    '<li><a href="#use">Acceptable Use Policy</a></li><li><a href="#privacy">Privacy Policy</a></li></ul>'
    '<div id="terms"><p class="doc-title"><strong>Terms of Service</strong></p>{terms}</div>'
    '<div id="use"><p class="doc-title"><strong>Acceptable Use Policy</strong></p>{use}</div>'
    '<div id="privacy"><p class="doc-title"><strong>Privacy Policy</strong></p></div></div>'
)
HUB_TABS_FIRST = (  # the policy the first of the three, its tab open
    '<div class="legal"><div role="tablist">'
    '<button role="tab" id="tab-privacy" aria-controls="privacy" aria-selected="true">Privacy Policy</button>'
    '<button role="tab" id="tab-terms" aria-controls="terms" aria-selected="false">Terms of Service</button>'
    '<button role="tab" id="tab-use" aria-controls="use" aria-selected="false">Acceptable Use Policy</button></div>'
    '<div role="tabpanel" id="privacy" aria-labelledby="tab-privacy"></div>'
    '<div role="tabpanel" id="terms" aria-labelledby="tab-terms" hidden>{terms}</div>'
    '<div role="tabpanel" id="use" aria-labelledby="tab-use" hidden>{use}</div></div>'
)
HUB_TABS = (
    '<div class="legal"><div role="tablist">'
    '<button role="tab" id="tab-terms" aria-controls="terms" aria-selected="false">Terms of Service</button>'
    '<button role="tab" id="tab-privacy" aria-controls="privacy" aria-selected="true">Privacy Policy</button>'
    '<button role="tab" id="tab-use" aria-controls="use" aria-selected="false">Acceptable Use Policy</button></div>'
    '<div role="tabpanel" id="terms" aria-labelledby="tab-terms" hidden>{terms}</div>'
    '<div role="tabpanel" id="privacy" aria-labelledby="tab-privacy"></div>'
    '<div role="tabpanel" id="use" aria-labelledby="tab-use" hidden>{use}</div></div>'
)
HUB_ACCORDION = (
    '<div class="accordion">'
    '<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button collapsed" '
    'aria-expanded="false" aria-controls="terms">Terms of Service</button></h2>'
    '<div id="terms" class="accordion-collapse collapse">{terms}</div></div>'
    '<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button" '
    'aria-expanded="true" aria-controls="privacy">Privacy Policy</button></h2>'
    '<div id="privacy" class="accordion-collapse collapse show"></div></div>'
    '<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button collapsed" '
    'aria-expanded="false" aria-controls="use">Acceptable Use Policy</button></h2>'
    '<div id="use" class="accordion-collapse collapse">{use}</div></div></div>'
)
HUB_HEADINGS = (  # each document titled by an <h1>; the use policy short, with its own sections
    '<div class="legal"><div><h1>Terms of Service</h1>{terms}</div><div id="privacy"><h1>Privacy Policy</h1></div>'
    '<div><h1>Acceptable Use Policy</h1>{use}</div></div>'
)
HUB_CAPITALS = (  # no ids, no links: each document titled by a bold capital line set large
    '<div class="legal"><div class="doc"><p style="font-size:24px"><b>TERMS OF SERVICE</b></p>{terms}</div>'
    '<div class="doc" id="privacy"><p style="font-size:24px"><b>PRIVACY POLICY</b></p></div>'
    '<div class="doc"><p style="font-size:24px"><b>ACCEPTABLE USE POLICY</b></p>{use}</div></div>'
)
HUB_BOOTSTRAP = (  # Bootstrap's tabs: toggle links, panes closed by their class alone
    '<div class="legal"><ul class="nav nav-tabs">'
    '<li class="nav-item"><a class="nav-link" data-toggle="tab" href="#terms">Terms of Service</a></li>'
    '<li class="nav-item"><a class="nav-link active" data-toggle="tab" href="#privacy">Privacy Policy</a></li>'
    '<li class="nav-item"><a class="nav-link" data-toggle="tab" href="#use">Acceptable Use Policy</a></li></ul>'
    '<div class="tab-content"><div class="tab-pane fade" id="terms">{terms}</div>'
    '<div class="tab-pane fade show active" id="privacy"></div><div class="tab-pane fade" id="use">{use}</div></div></div>'
)
HUB_SIDEBAR = (  # a side menu of #anchor links; sections titled by a <div>
    '<div class="legal-page"><aside class="sidebar"><nav><a href="#terms">Terms of Service</a>'
    '<a href="#privacy">Privacy Policy</a><a href="#use">Acceptable Use Policy</a></nav></aside>'
    '<main><section id="terms"><div class="doc-title">Terms of Service</div>{terms}</section>'
    '<section id="privacy"><div class="doc-title">Privacy Policy</div></section>'
    '<section id="use"><div class="doc-title">Acceptable Use Policy</div>{use}</section></main></div>'
)
HUB_LABELLED = (  # no links: each section labelled by a styled <span> through aria-labelledby
    '<div class="legal"><section aria-labelledby="t-terms"><span id="t-terms" class="text-3xl font-bold">'
    'Terms of Service</span>{terms}</section><section id="privacy" aria-labelledby="t-privacy">'
    '<span id="t-privacy" class="text-3xl font-bold">Privacy Policy</span></section>'
    '<section aria-labelledby="t-use"><span id="t-use" class="text-3xl font-bold">Acceptable Use Policy</span>'
    '{use}</section></div>'
)

MENU = ["Features", "Pricing", "Integrations", "Customers", "Blog", "Careers", "Log in", "Sign up"]
BANNER = ('<div class="cookie-banner" role="dialog" aria-label="Cookie consent"><p>We use cookies to give you '
          'the best experience on our website. By clicking Accept you agree to our use of cookies.</p>'
          '<button>Accept</button><button>Reject</button></div>')
BYLINE = ('<div class="article-author"><img src="/avatar.png" alt=""><div><span class="name">Written by Jane Doe</span>'
          '<span class="date">Updated over a week ago</span></div></div>')
SHARE = ('<div class="share"><span>Share this page:</span> <a href="https://www.facebook.com/sharer.php?u=x">Facebook</a> '
         '<a href="https://twitter.com/intent/tweet?url=x">Twitter</a> '
         '<a href="https://www.linkedin.com/shareArticle?url=x">LinkedIn</a></div>')
FEEDBACK = '<div class="feedback"><p>Did this answer your question?</p><button>😞</button><button>😐</button><button>😃</button></div>'
NEWSLETTER = ('<div class="newsletter"><h4>Stay in the loop</h4><p>Get the latest product news and tips delivered to your '
              'inbox every month.</p><form action="/subscribe"><input type="email" placeholder="Your email">'
              '<button type="submit">Subscribe</button></form></div>')
CHAT = ('<div id="chat-widget" class="launcher"><div class="bubble"><p>Hi there! 👋 How can we help you today?</p>'
        '<button>Chat with us</button></div></div>')
CALL_TO_ACTION = ('<section class="cta"><h2>Ready to get started?</h2><p>Join over 10,000 teams who trust us every '
                  'day.</p><a class="btn btn-primary" href="/signup">Start your free trial</a> '
                  '<a class="btn" href="/demo">Book a demo</a></section>')
UPDATE_NOTICE = ('<div class="alert alert-info"><p>We\'ve updated our Privacy Policy. <a href="/changes">See what\'s '
                 'changed</a></p><button class="close">Dismiss</button></div>')
SAME_CLAUSES, SAME_WORDS, HUB = "same clauses", "same words", "hub"
SHAPES = {
    "twice": (shape_twice, SAME_CLAUSES),
    "twice, modal": (shape_twice_modal, SAME_CLAUSES),
    "twice, restyled": (shape_twice_restyled, SAME_CLAUSES),
    "toc": (shape_toc, SAME_CLAUSES),
    "toc, labelled": (shape_toc_labelled, SAME_CLAUSES),
    "joined": (shape_joined, SAME_WORDS),
    "split": (shape_split, SAME_WORDS),
    "no-break spaces": (_retyped(lambda text: text.replace(" ", "\u00a0", 3)), SAME_WORDS),
    "soft hyphens": (_retyped(lambda text: re.sub(r"(\w{4})(\w{4})", "\\1\u00ad\\2", text)), SAME_WORDS),
    "typed bullets": (shape_typed_bullets, SAME_WORDS),
    "styled titles": (shape_styled, SAME_WORDS),
    "accordion": (_section_shape(
        '<h3 class="accordion-header"><button class="accordion-button collapsed" aria-expanded="false" '
        'aria-controls="panel-{k}" data-title="1"></button></h3>',
        '<div id="panel-{k}" class="accordion-collapse collapse" hidden></div>'), SAME_WORDS),
    "details": (_section_shape("<summary></summary>", "<details></details>", inside=True), SAME_WORDS),
    "tabs": (shape_tabs, SAME_WORDS),
    "bootstrap tabs": (shape_bootstrap_tabs, SAME_WORDS),
    "top links": (shape_top_links, SAME_WORDS),
    "menu": (shape_menu, SAME_CLAUSES),
    "languages": (shape_languages, SAME_CLAUSES),
    "breadcrumbs": (shape_breadcrumbs, SAME_CLAUSES),
    "banner": (shape_banner, SAME_CLAUSES),
    "byline": (_at_start(BYLINE), SAME_CLAUSES),
    "share links": (_at_start(SHARE), SAME_CLAUSES),
    "update notice": (_at_start(UPDATE_NOTICE), SAME_CLAUSES),
    "feedback": (_at_end(FEEDBACK), SAME_CLAUSES),
    "newsletter": (_at_end(NEWSLETTER), SAME_CLAUSES),
    "chat": (_at_end(CHAT), SAME_CLAUSES),
    "call to action": (_at_end(CALL_TO_ACTION), SAME_CLAUSES),
    "hub-links": (lambda root, c: _hub(c, HUB_LINKS) or True, HUB),
    "hub-links, last": (lambda root, c: _hub(c, HUB_LINKS_LAST) or True, HUB),
    "hub-tabs": (lambda root, c: _hub(c, HUB_TABS) or True, HUB),
    "hub-tabs, first": (lambda root, c: _hub(c, HUB_TABS_FIRST) or True, HUB),
    "hub-accordion": (lambda root, c: _hub(c, HUB_ACCORDION) or True, HUB),
    "hub-headings": (lambda root, c: _hub(c, HUB_HEADINGS) or True, HUB),
    "hub-capitals": (lambda root, c: _hub(c, HUB_CAPITALS) or True, HUB),
    "hub-bootstrap": (lambda root, c: _hub(c, HUB_BOOTSTRAP) or True, HUB),
    "hub-sidebar": (lambda root, c: _hub(c, HUB_SIDEBAR) or True, HUB),
    "hub-labelled": (lambda root, c: _hub(c, HUB_LABELLED) or True, HUB),
}


def _words(texts) -> Counter:
    return Counter(w.lower() for text in texts for w in words(text) if w[0].isalnum())


OTHER_WORDS = _words(OTHER_SENTENCES)


def check(shape: str, body: bytes, original) -> dict | None:
    """The shape's result on one page: None when it does not apply."""
    root = parse(body, original)
    container = find_container(root, original.blocks)
    if container is None or container.getparent() is None:
        return None
    make, test = SHAPES[shape]
    if not make(root, container):
        return None
    page = normalize(_utf8(root))
    before, after = [b.text for b in original.blocks], [b.text for b in page.blocks]
    if test == SAME_CLAUSES:
        return {"pass": before == after, "extra": len(after) - len(before)}
    if test == SAME_WORDS:
        return {"pass": same_words(before, after), "extra": len(after) - len(before)}
    kept, wanted = _words(after), _words(before)
    recall = sum((kept & wanted).values()) / max(1, sum(wanted.values()))
    text = " ".join(after)
    others = [s for s in OTHER_SENTENCES if s in text]
    leak = sum((kept & OTHER_WORDS).values() if others else ()) / max(1, sum(kept.values()))
    return {"pass": recall >= RECALL_GOAL and not others, "recall": recall, "leak": leak, "others": len(others),
            "scope": page.scope_note}


def parse(body: bytes, page):
    """The page's tree, its bytes decoded as the normalizer decoded them (lxml alone reads a
    page that declares no charset as Latin-1)."""
    return lxml.html.document_fromstring(body.decode(page.encoding, errors="replace"))


def _utf8(root) -> bytes:
    """The page in UTF-8, saying so: the charset it declared is no longer the bytes'."""
    for meta in root.xpath("//meta[@charset or translate(@http-equiv, 'CONTENT-TYPE', 'content-type') = 'content-type']"):
        meta.getparent().remove(meta)
    head = root.find("head")
    if head is None:
        head = _element("<head></head>")
        root.insert(0, head)
    head.insert(0, _element('<meta charset="utf-8">'))
    return lxml.html.tostring(root, encoding="utf-8")


def evaluate(corpus: Path) -> dict:
    results: dict[str, dict[str, dict | None]] = {}
    for corpus_page in corpus_pages(corpus):
        found = latest_policy(corpus_page.folder(corpus))
        if found is None:
            continue
        body, original = found
        results[corpus_page.page_id] = {shape: check(shape, body, original) for shape in SHAPES}
    return results


def summary(results: dict) -> dict:
    out = {}
    for shape in SHAPES:
        applied = [r[shape] for r in results.values() if r[shape] is not None]
        figures = {"pages": len(applied), "passed": sum(r["pass"] for r in applied),
                   "failed": sorted(page for page, r in results.items() if r[shape] is not None and not r[shape]["pass"])}
        if SHAPES[shape][1] == HUB and applied:
            figures["recall"] = round(sum(r["recall"] for r in applied) / len(applied), 4)
            figures["leak"] = round(sum(r["leak"] for r in applied) / len(applied), 4)
        out[shape] = figures
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED if SHARED.exists() else REPO / "tests" / "data" / "corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    parser.add_argument("--details", action="store_true", help="each failing page's figures")
    args = parser.parse_args()
    results = evaluate(args.corpus)
    figures = summary(results)
    if args.json:
        print(json.dumps({"corpus": str(args.corpus), "pages": len(results), "shapes": figures}))
        return
    print(f"corpus: {args.corpus} ({len(results)} pages read as a policy; the original passes every shape)")
    print(f"{'shape':<17} {'test':<14} {'pages':>6} {'passed':>7} {'share':>7} {'recall':>8} {'leak':>8}")
    for shape, f in figures.items():
        share = f"{f['passed'] / f['pages']:.3f}" if f["pages"] else "-"
        print(f"{shape:<17} {SHAPES[shape][1]:<14} {f['pages']:>6} {f['passed']:>7} {share:>7} "
              f"{f.get('recall', ''):>8} {f.get('leak', ''):>8}")
    for shape, f in figures.items():
        if f["failed"]:
            print(f"  {shape} fails on: {', '.join(f['failed'])}")
            if args.details:
                for page in f["failed"]:
                    print(f"    {page}: {results[page][shape]}")


if __name__ == "__main__":
    main()
