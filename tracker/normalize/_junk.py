"""Junk inside a page: spam injected into a hacked page, the page's own widgets left at the
edges of its content, and markup shown as text.

Spam (`drop_spam`): hacked pages carry an unrelated block of casino, pharmacy or loan text,
usually appended after the content or put before it. A run of blocks at either end of the
page that speaks the vocabulary of such spam (several of its terms, in the languages such
spam is written in) and none of a privacy policy's (personal data, information, cookies,
consent…) is dropped and recorded; a policy of a gambling site speaks of its users' data in
the same blocks, so it stays.

Edge widgets (`drop_edge_widgets`): what a page shows around a text without class names
that say so: a breadcrumb trail, a "was this page helpful?" poll and its buttons, a
newsletter sign-up, a cookie banner with its buttons, a copyright line, "back to top", a row
of tools ("Print this page | Download PDF"), a row of share links, a help center's byline
and the age of its last update ("Updated over a week ago"), a chat's greeting, a call to action
("Ready to get started?", "Start your free trial"), a notice that the policy changed with its
link ("We've updated our Privacy Policy. Learn more"), which a page shows for a few weeks.
Each is short and says what it is; a run of them at either end of the content (at the top,
under the title, its date and subtitle; at the end, with its own heading) is dropped and recorded.
Their counters, dates and years change on their own, and they come and go: each change
would be a version.

Markup shown as text (`markup_share`): a page that shows its HTML source (escaped tags)
instead of rendering it holds the policy's words, but the capture shows markup: its rendered
twin is the version. (Another page served at the policy's URL is told by the document's
history: tracker.versions.otherpage.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from tracker.normalize._blocks import Block
from tracker.normalize.scope import Dropped
from tracker.normalize.text import word_count
from tracker.writing import TAG_TEXT

# Scripts written without spaces have no word boundaries: their terms are matched as they are.
_SPAM_TERMS = re.compile(
    r"\b(?:casinos?|gambling|betting|bookmakers?|sportsbooks?|jackpots?|roulette|poker|slot machines?"
    r"|payouts?|free spins|deposit bonus(?:es)?|viagra|cialis|levitra|online pharmacy|payday loans?"
    r"|replica watches|essay writing service|escorts?|slot gacor|judi|togel|казино|букмекер\w*)\b"
    r"|博彩|赌场|娱乐城|百家乐|老虎机|六合彩|体育投注|カジノ|パチンコ", re.I)
_POLICY_TERMS = re.compile(
    r"\b(?:personal|data|information|privacy|cookies?|consent|process(?:es|ed|ing)?|collect(?:s|ed|ion)?"
    r"|controller|rights?|datenschutz|données|datos|персональн\w*)\b"
    r"|个人信息|個人資料|隐私|隱私|個人情報|プライバシー|개인정보", re.I)
_SPAM_BLOCK_TERMS = 3  # a block of spam, not a clause naming a game once
_SPAM_HEADING_WORDS = 12  # a short block with one such term heads the spam run


def drop_spam(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the spam runs at either end, and the runs dropped."""
    return _drop_edges(blocks, _spam_kind, "injected spam")


def drop_edge_widgets(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the runs of page widgets at either end, and the runs dropped."""
    return _drop_edges(blocks, _widget_kind, "page widget", widgets=True)


def _drop_edges(blocks: tuple[Block, ...], kind_of: Callable[[str], str | None],
                reason: str, widgets: bool = False) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """Drop the run at each end of `blocks` whose blocks all have a kind and one at least is a
    "block", or a "banner" beside a button ("heading"): a heading or a button alone proves
    nothing. Only the ends are read: a page's middle is the policy's. `widgets`: the run at
    the top may start under a first heading (the title is no widget), and the run at the end
    takes the heading right above it (the widget's own: "Stay in the loop" over a newsletter
    sign-up; nothing of the policy is under it), or under the title's date and subtitle lines."""
    kinds: dict[int, str | None] = {}
    first = 1 if widgets and blocks and blocks[0].kind == "heading" else 0
    while widgets and first < len(blocks) - 1 and _under_title(blocks[first].text) and not kind_of(blocks[first].text):
        first += 1  # the title's date or subtitle ("Last updated: March 1, 2024"), a widget's neighbour under it
    lead = range(first, first + _run(kinds, blocks, range(first, len(blocks)), kind_of))
    if lead.stop == len(blocks):
        return blocks, ()  # nothing but such blocks: the junk checks judge the page
    tail = range(len(blocks) - _run(kinds, blocks, range(len(blocks) - 1, -1, -1), kind_of), len(blocks))
    drop = [run for run in (lead, tail) if run and _proves(Counter(kinds[i] for i in run))]
    if widgets and drop and drop[-1] is tail and tail.start - 1 > max(0, lead.stop) and (
            blocks[tail.start - 1].kind == "heading"):
        drop[-1] = range(tail.start - 1, tail.stop)
    if not drop:
        return blocks, ()
    kept = tuple(b for i, b in enumerate(blocks) if not any(i in run for run in drop))
    return kept, tuple(Dropped(blocks[run[0]].text[:80], reason, len(run),
                               sum(word_count(blocks[i].text) for i in run)) for run in drop)


def _under_title(text: str) -> bool:
    """A short line stating a date ("Effective date: Mar 18, 2026"), or a few words that end
    no sentence (a subtitle, "Acme Health"): what a policy sets under its title."""
    words = word_count(text)
    dated = words <= _DATED_LINE_WORDS and bool(_DATE.search(text))
    return dated or (words <= _SUBTITLE_WORDS and not text.endswith((".", "!", "?", ":", ";")))


def _proves(kinds: Counter) -> bool:
    return bool(kinds["block"] or (kinds["banner"] and kinds["heading"]))


def _run(kinds: dict[int, str | None], blocks: tuple[Block, ...], order: range,
         kind_of: Callable[[str], str | None]) -> int:
    """Length of the run of blocks with a kind at the start of `order` (kinds noted in `kinds`)."""
    n = 0
    for i in order:
        kinds[i] = kind_of(blocks[i].text)
        if not kinds[i]:
            break
        n += 1
    return n


def _spam_kind(text: str) -> str | None:
    """"block" for a block of spam, "heading" for a short line naming spam, else None."""
    if _POLICY_TERMS.search(text):
        return None
    terms = len(_SPAM_TERMS.findall(text))
    if terms >= _SPAM_BLOCK_TERMS:
        return "block"
    if terms and word_count(text) <= _SPAM_HEADING_WORDS:
        return "heading"
    return None


_DATED_LINE_WORDS = 12
_SUBTITLE_WORDS = 4
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}年")
# Each widget says what it is in a few words; the patterns are the wording of the kind, in the
# languages the tracker meets, never a site's.
_WIDGET_WORDS = 40
_WIDGETS = re.compile(
    r"^(?:was|is) this (?:page|article|answer|information|section|content|post)(?: \w+)? (?:helpful|useful)"
    r"|^did (?:this|you find this) (?:page|article|answer|information)? ?help|^did (?:this|we) answer your question"
    r"|^\d+ (?:out )?of \d+ (?:people )?found this (?:helpful|useful)"
    r"|^(?:thanks?|thank you) for your feedback"
    r"|^(?:cet article|cette page|ces informations) (?:vous )?(?:a|ont)-t-(?:il|elle|ils|elles) été utiles?"
    r"|^(?:war|ist) (?:dieser artikel|diese seite|dieser beitrag) hilfreich|^¿?(?:te|le) (?:ha|fue) (?:resultado )?útil"
    r"|^(?:inscrivez-vous|abonnez-vous) à (?:notre|la) newsletter|^newsletter abonnieren"
    r"|^have more questions\?|^still need help\?"
    r"|\b(?:subscribe|sign up) (?:to|for) (?:our|the) (?:newsletter|mailing list|updates)"
    r"|\bdelivered (?:straight |right )?to your inbox\b"
    # a help center's byline and its age, which changes on its own: "Updated over a week ago"
    r"|^written by\b|^(?:last )?(?:updated|edited|modified|posted|published) (?:over |about |almost |nearly )?"
    r"(?:(?:an?|one|\d+) (?:second|minute|hour|day|week|month|year)s? ago|yesterday|today|this (?:week|month|year))$"
    r"|^(?:hi|hello|hey)(?: there)?\W+(?:.{0,40}\W)?how can (?:we|i) help(?: you)?(?: today)?\W*$"  # a chat's greeting
    # a notice that the policy changed, with its link: "We've updated our Privacy Policy. Learn more"
    r"|^(?:we(?:'ve| have) (?:updated|changed)|we(?:'re| are) (?:updating|changing)|(?:our|the|this) (?:privacy |cookie )?"
    r"(?:policy|notice|statement|terms)\b.{0,40}\b(?:has|have) (?:been )?(?:updated|changed))"
    r".{0,160}\b(?:learn more|see what'?s changed|see the changes|read more|find out more|review the changes)\W*$"
    # a call to action: "Ready to get started?", "Try it free for 14 days", "No credit card required"
    r"|^ready to (?:get started|start|try|join|begin)\b|^try (?:it |us )?(?:for )?free\b|\bno credit card (?:required|needed)\b"
    r"|^join (?:over |more than )?[\d,.]+\s*(?:k|m|million)?\+? (?:teams|companies|businesses|customers|users|people|developers)\b"
    r"|^share(?: this(?: page| article| post)?)?\s*:?\s*(?:(?:facebook|twitter|x|linkedin|e-?mail|whatsapp|pinterest"
    r"|reddit|telegram|copy link)\b\W*){2,}$"
    r"|^(?:(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}|[\w.,&'\- ]{1,40}\d{4})"
    r"|.{0,80}\ball rights reserved\b|.{0,80}(?:版权所有|保留所有权利|著作権所有|alle rechte vorbehalten"
    r"|tous droits réservés|todos los derechos reservados))"
    r"|^(?:back to top|return to top|top of page|print(?: this page)?|share this(?: page)?|download (?:as )?pdf"
    r"|retour en haut(?: de (?:la )?page)?|imprimer(?: cette page)?|nach oben|volver arriba)$",
    re.I)
_BUTTON = (r"(?:yes|no|accept(?: all)?(?: cookies)?|decline|reject(?: all)?|got it|ok(?:ay)?|allow(?: all)?"
           r"|start (?:your |a )?free trial|(?:book|request|get|schedule) a demo|get started(?: for free| free| now| today)?"
           r"|sign up(?: for)? free|contact sales|talk to sales"
           r"|close|dismiss|subscribe|sign up|submit|cookie settings|manage (?:cookies|preferences|settings)"
           r"|oui|non|(?:tout )?accepter(?: tout)?|(?:tout )?refuser(?: tout)?|personnaliser|fermer|j'accepte"
           r"|ja|nein|(?:alle )?akzeptieren|ablehnen|schließen|s[ií]|aceptar(?: todo)?|rechazar(?: todo)?|cerrar)")
_BUTTONS = re.compile(rf"^(?:{_BUTTON}\W*)+$|^\W+$", re.I)  # one or more buttons' labels, or a symbol
# A cookie banner's sentence, which a policy may also say: a widget only beside its buttons.
_COOKIE_BANNER = re.compile(
    r"^(?:this|our) (?:web)?site uses cookies\b|^we use cookies (?:to|on)\b"
    r"|^(?:ce site|notre site)(?: web)? utilise des cookies|^nous utilisons des cookies"
    r"|^(?:diese|unsere) (?:website|webseite|seite) (?:verwendet|nutzt) cookies|^wir (?:verwenden|nutzen) cookies"
    r"|^(?:este sitio|esta web|utilizamos cookies)", re.I)
# A breadcrumb trail: three to six short steps joined by arrows ("Home > Legal > Privacy").
_CRUMB_SEPARATOR = re.compile(r"\s*[>»›→]\s*")  # not "|", which joins a table row's cells
_CRUMB_STEP_WORDS = 4
_TOOL_JOINT = re.compile(r"\s+[|·•]\s+")  # between the tools of a row


def _widget_kind(text: str) -> str | None:
    """"block" for a widget's text, "heading" for a button's label, "banner" for a cookie
    banner's sentence, else None."""
    if _BUTTONS.match(text.strip()):
        return "heading"
    if word_count(text) > _WIDGET_WORDS:
        return None
    parts = _TOOL_JOINT.split(text)
    if _WIDGETS.search(text) or len(parts) > 1 and all(_WIDGETS.search(part) for part in parts):
        return "block"  # one widget, or a row of them: "Print this page | Download PDF"
    if _COOKIE_BANNER.search(text):
        return "banner"
    steps = _CRUMB_SEPARATOR.split(text.strip())
    if 3 <= len(steps) <= 6 and all(0 < word_count(s) <= _CRUMB_STEP_WORDS for s in steps):
        return "block"
    return None


def markup_share(texts: list[str]) -> tuple[int, float]:
    """Tags shown as text in `texts`: their number, and their share of all words and tags."""
    marked = [t for t in texts if "<" in t or "&" in t]  # a tag or entity starts with one of them
    tags = sum(len(TAG_TEXT.findall(t)) for t in marked)
    if not tags:
        return 0, 0.0  # most pages: no words to count
    total = tags + sum(word_count(TAG_TEXT.sub(" ", t) if "<" in t or "&" in t else t) for t in texts)
    return tags, tags / total
