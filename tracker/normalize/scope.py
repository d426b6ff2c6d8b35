"""The scope step: which part of a page's blocks is the privacy policy.

Pages put several legal documents under one URL ("Terms, Privacy & Copyright", a terms of
service followed by the privacy policy, a data processing agreement with its exhibits). A
tracked privacy policy must change only when its own text does, so the page is segmented
into documents by its heading structure, selector-free: at the highest heading level where
the titles of legal documents appear, each titled section is one document, and an annex
("Exhibit A", "Schedule 2", "Appendix") belongs to the document before it. The privacy
policy and its annexes (a cookie policy, a regional notice) are kept; the other documents
are dropped, each with the reason, so a user can see (and override) what was decided.

When unsure it keeps: a page whose titles name no privacy policy keeps everything (and says
so), and a section named like another document but too short to be one (a paragraph
pointing to the Terms) stays.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tracker.normalize._blocks import Block
from tracker.normalize._navigation import LinkList
from tracker.normalize.text import is_all_caps_heading, word_count

_PREFIX = r"^(?:[\w&',.()\- ]{0,40}\s)?"
# Scripts without spaces: the site's name runs into the title ("豆包隐私政策").
_CJK_PREFIX = r"^[^\s]{0,20}?"
# A title may end with its edition: "(2024 version)", "（2024年版）", "- Updated".
_EDITION = r"(?:\s*[(（][^)）]{0,30}[)）])?$"
_PRIVACY = re.compile(
    _PREFIX + r"(?:privacy|cookies?|data protection|personal (?:data|information))"
    r"(?: and cookies?)? (?:policy|notice|statement|addendum|supplement)" + _EDITION +
    r"|^privacy(?: (?:and|&) cookies)?$"  # a combined page's bare "Privacy" title
    # German, French, Spanish, Portuguese, Italian, Dutch, Russian titles of a privacy policy.
    r"|" + _PREFIX + r"(?:datenschutz(?:erklärung|hinweise|richtlinie|bestimmungen|information(?:en)?)?"
    r"|politique (?:de confidentialité|de (?:protection|gestion) des données(?: personnelles| à caractère personnel)?"
    r"|(?:de gestion |relative aux |d'utilisation )?(?:des |de )?cookies|de (?:respect de la )?vie privée)"
    r"|(?:déclaration|charte|notice|avis) (?:de confidentialité|(?:de )?vie privée|d'information)"
    r"|(?:protection des )?données personnelles|(?:respect de la )?vie privée"
    r"|pol[ií]tica de (?:privacidad|privacidade|cookies|protecci[oó]n de datos)|aviso de privacidad(?:e)?"
    r"|informativa (?:sulla )?privacy|privacyverklaring|privacybeleid|cookiebeleid"
    r"|политика конфиденциальности)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:隐私(?:权|保护)?政策|隱私(?:權)?政策|个人信息保护政策|隐私声明|隱私聲明"
    r"|プライバシー(?:ポリシー|通知|ステートメント)|個人情報(?:保護方針|の取り?扱い(?:について)?)"
    r"|개인정보\s?(?:처리|취급)방침)" + _EDITION, re.I)
# The terms a service is used under: a document of its own kind (a tracked "Terms of Service"
# keeps these and drops the privacy policy).
_TERMS = re.compile(
    _PREFIX + r"(?:terms(?: of (?:service|use|sale))?|terms (?:and|&) conditions(?: of (?:use|service|sale))?"
    r"|user agreement|subscription terms|nutzungsbedingungen|allgemeine geschäftsbedingungen|agb"
    r"|conditions (?:générales )?(?:d'utilisation|de vente)(?: et de (?:vente|service))?|cgu|cgv"
    r"|t[ée]rminos y condiciones|condiciones de uso|termos (?:de uso|e condições)"
    r"|termini e condizioni|condizioni d'uso|algemene voorwaarden|gebruiksvoorwaarden"
    r"|пользовательское соглашение|условия использования)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:用户(?:服务)?协议|服务(?:协议|条款)|使用条款|用戶協議|服務條款|利用規約"
    r"|(?:서비스\s?)?이용약관)" + _EDITION, re.I)
_OTHER = re.compile(
    _PREFIX + r"(?:copyright(?: and trademark)? (?:policy|notice)|dmca(?: takedown)?(?: notice| policy)?"
    r"|community guidelines|acceptable use policy|(?:end[- ]user )?licen[cs]e agreement"
    r"|(?:data processing|service level) (?:agreement|addendum)|refund policy|legal notice|imprint|impressum"
    r"|accessibility statement|disclaimer|mentions légales|aviso legal|note legali)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:特定商取引法に基づく表記)" + _EDITION, re.I)
# An annex is titled by its kind and a number or letter: "Exhibit A", "Schedule 2 - ...".
_ANNEX = re.compile(r"^(?:exhibit|annex|appendix|schedule|attachment)\s+(?:[A-Z]|\d+|[IVX]+)\b", re.I)
# A whole document, not a paragraph pointing to the Terms.
OTHER_DOCUMENT_WORDS = 150
_TITLE_LINE_WORDS = 8  # a paragraph this short that names a document is its title
_SENTENCE_ENDS = (".", ":", ";", ",", "?", "!")
_TITLE_SMALL_WORDS = frozenset({"of", "and", "for", "on", "at", "in", "de", "des", "du", "la", "le", "et", "y",
                                "del", "di", "e", "van", "der", "und", "zur", "zum"})
# A numbered heading is a section ("8. Terms of Use" of a policy), never a document's title.
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[A-Za-z])[.):]\s")
# The first section of a document: numbering that starts again ("1. Acceptance", "Article I").
_FIRST_SECTION = re.compile(r"^(?:(?:section|article|part|chapter|clause)\s+(?:1|one|i)\b|\(?(?:1|i|a)[.):]\s|1\s)",
                            re.I)


@dataclass(frozen=True)
class Dropped:
    """A part of the page left out of the policy, and why (`navigation`: the record of a link
    list judged navigation, which later captures of the page are compared with)."""

    heading: str
    reason: str
    blocks: int
    words: int
    navigation: LinkList | None = None


@dataclass(frozen=True)
class Scope:
    """The policy's blocks, what was dropped, and a note when the step kept text it doubts."""

    blocks: tuple[Block, ...]
    dropped: tuple[Dropped, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Target:
    """Which document of a page is tracked: its name ("Privacy Policy" unless `tracker add
    --document` said otherwise; a "Terms of Service" keeps the terms and drops the policy),
    and the element id the tracked URL's fragment names (`legal#privacy`), if any."""

    document: str = "Privacy Policy"
    fragment: str | None = None

    @property
    def kind(self) -> str:
        """"privacy", "terms", or "other" (a document of another name, told by its name)."""
        name = document_name(self.document)
        return name if name in ("privacy", "terms") else "other"

    def title(self, heading: str) -> str | None:
        """"mine" when `heading` titles the tracked document (or a part of it: a privacy
        policy's cookie policy), "other" when it titles another legal document, "annex" for
        an exhibit or schedule, else None."""
        name = document_name(heading)
        if name is None or name == "annex":
            return name
        if self.kind == "other":
            return "mine" if _casefold(self.document) in _casefold(heading) else "other"
        return "mine" if name == self.kind else "other"


PRIVACY_POLICY = Target()


@functools.lru_cache(maxsize=4096)  # each heading is read at every level, and captures repeat them
def document_name(heading: str) -> str | None:
    """"privacy" for the title of a privacy policy (or its cookie part), "terms" for the terms
    of service, "other" for the title of another legal document, "annex" for an
    exhibit/schedule heading, else None."""
    text = heading.strip().rstrip(" .:")
    if _NUMBERED.match(heading.strip()):
        return None
    if _PRIVACY.match(text):
        return "privacy"
    if _TERMS.match(text):
        return "terms"
    if _OTHER.match(text):
        return "other"
    if _ANNEX.match(text):
        return "annex"
    return None


def names_privacy_policy(heading: str) -> bool:
    return document_name(heading) == "privacy"


def _casefold(text: str) -> str:
    return " ".join(text.casefold().split())


def policy_scope(blocks: tuple[Block, ...], target: Target = PRIVACY_POLICY) -> Scope:
    """Segment `blocks` into documents by their titles and keep the tracked document's part."""
    blocks = _title_lines(blocks, target)
    headings = [(i, b) for i, b in enumerate(blocks) if b.kind == "heading"]
    mine_levels = [b.level for _, b in headings if target.title(b.text) == "mine"]
    for level in sorted({b.level for _, b in headings}):
        titled = [(i, b.text, target.title(b.text)) for i, b in headings if b.level == level]
        names = {name for _, _, name in titled}
        if "other" not in names:
            continue
        if "mine" in names or any(p < level for p in mine_levels):
            # Under the document's title, a short section titled as another document is about
            # it (kept); a whole document under such a title is one appended to it (dropped).
            return _drop_other_documents(blocks, headings, level, titled)
        return Scope(blocks, note=f"unsure: other legal documents titled at level {level} but no "
                                  f"title naming the {target.document}; everything kept")
    return Scope(blocks)


def _title_lines(blocks: tuple[Block, ...], target: Target) -> tuple[Block, ...]:
    """Paragraphs that only name a legal document ("Terms of Service", set large by a style
    sheet rather than marked up as a heading) are its title, at the top level, where the
    page names both the tracked document and another so."""
    lines = [i for i, b in enumerate(blocks) if b.kind == "paragraph" and word_count(b.text) <= _TITLE_LINE_WORDS
             and _title_case(b.text) and target.title(b.text) in ("mine", "other")]
    if not lines:
        return blocks
    names = {target.title(blocks[i].text) for i in lines} | {target.title(b.text) for b in blocks if b.kind == "heading"}
    if not {"mine", "other"} <= names:
        return blocks
    promoted = list(blocks)
    for i in lines:
        promoted[i] = Block("heading", blocks[i].text, blocks[i].section, 1)
    return tuple(promoted)


def _title_case(text: str) -> bool:
    """Set as a title: its words capitalised but the small ones a title keeps ("Terms of
    Service"), no sentence's ("Changes to this Privacy Policy", "... as follows.")."""
    if text.endswith(_SENTENCE_ENDS):
        return False
    return all(not w[0].islower() or w.lower() in _TITLE_SMALL_WORDS for w in text.split() if w[0].isalpha())


def _drop_other_documents(blocks, headings, level, titled) -> Scope:
    """Drop each section titled as another document (when long enough to be one) and the
    annexes that follow a dropped document. Where a page puts a document's sections at its
    title's level, the numbering that starts again after the title ("1. Acceptance") shows
    they are the document's: it then runs to the next title at that level."""
    drop: set[int] = set()
    dropped: list[Dropped] = []
    owner_dropped = False  # whether the document the next annexes belong to was dropped
    for start, text, name in titled:
        if name == "mine":
            owner_dropped = False
        if name not in ("other", "annex") or (name == "annex" and not owner_dropped):
            continue
        end = _end(blocks, headings, level, start)
        words = sum(word_count(b.text) for b in blocks[start:end])
        if name == "other" and words < OTHER_DOCUMENT_WORDS:
            owner_dropped = False
            continue
        owner_dropped = True
        drop.update(range(start, end))
        reason = "another legal document" if name == "other" else "annex of another legal document"
        dropped.append(Dropped(text, reason, end - start, words))
    kept = tuple(b for i, b in enumerate(blocks) if i not in drop)
    return Scope(kept, tuple(dropped))


def _end(blocks, headings, level, start: int) -> int:
    """Where the document titled at `start` ends."""
    after = [(j, b) for j, b in headings if j > start and b.level <= level]
    if not after:
        return len(blocks)
    first, heading = after[0]
    if heading.level < level or not (_FIRST_SECTION.match(heading.text) or _capital_titles(blocks[start], heading)):
        return first
    return next((j for j, b in after if b.level < level or document_name(b.text)), len(blocks))


def _capital_titles(title: Block, heading: Block) -> bool:
    """A flat page (every heading one level) sets its documents' titles in capitals and their
    sections not: "TERMS OF SERVICE", then "Acceptance", "Termination" are the document's."""
    return is_all_caps_heading(title.text) and not is_all_caps_heading(heading.text)

