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

import re
from dataclasses import dataclass

from tracker.normalize._blocks import Block
from tracker.normalize._navigation import LinkList
from tracker.normalize._titles import document_name
from tracker.normalize.text import is_all_caps_heading, word_count

# A whole document, not a paragraph pointing to the Terms.
OTHER_DOCUMENT_WORDS = 150
_TITLE_LINE_WORDS = 8  # a paragraph this short that names a document is its title
_TITLE_LINE_CHARS = 100
_SENTENCE_ENDS = (".", ":", ";", ",", "?", "!")
_TITLE_SMALL_WORDS = frozenset({"of", "and", "for", "on", "at", "in", "de", "des", "du", "la", "le", "et", "y",
                                "del", "di", "e", "van", "der", "und", "zur", "zum"})
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


def names_privacy_policy(heading: str) -> bool:
    return document_name(heading) == "privacy"


def _casefold(text: str) -> str:
    return " ".join(text.casefold().split())


def policy_scope(blocks: tuple[Block, ...], target: Target = PRIVACY_POLICY) -> Scope:
    """Segment `blocks` into documents by their titles and keep the tracked document's part.

    Each level is read in turn, from the top, on what the levels above kept: another document
    can sit deeper than the one dropped above it (the terms and the policy titled by <h1>, a
    data processing addendum appended under the policy's title by an <h2>)."""
    blocks = _title_lines(blocks, target)
    headings = [(i, b) for i, b in enumerate(blocks) if b.kind == "heading"]
    mine_levels = [b.level for _, b in headings if target.title(b.text) == "mine"]
    dropped: tuple[Dropped, ...] = ()
    for level in sorted({b.level for _, b in headings}):
        titled = [(i, b.text, target.title(b.text)) for i, b in headings if b.level == level]
        names = {name for _, _, name in titled}
        if "other" not in names:
            continue
        if not ("mine" in names or any(p < level for p in mine_levels)):
            return Scope(blocks, note=f"unsure: other legal documents titled at level {level} but no "
                                      f"title naming the {target.document}; everything kept")
        # Under the document's title, a short section titled as another document is about
        # it (kept); a whole document under such a title is one appended to it (dropped).
        scope = _drop_other_documents(blocks, headings, level, titled)
        if scope.dropped:
            blocks, dropped = scope.blocks, dropped + scope.dropped
            headings = [(i, b) for i, b in enumerate(blocks) if b.kind == "heading"]
    return Scope(blocks, dropped)


def _title_lines(blocks: tuple[Block, ...], target: Target) -> tuple[Block, ...]:
    """Paragraphs that only name a legal document ("Terms of Service", set large by a style
    sheet rather than marked up as a heading) are its title, at the top level, where the
    page names both the tracked document and another so."""
    lines = [i for i, b in enumerate(blocks) if b.kind == "paragraph" and _title_line(b.text)
             and target.title(b.text) in ("mine", "other")]
    if not lines:
        return blocks
    names = {target.title(blocks[i].text) for i in lines} | {target.title(b.text) for b in blocks if b.kind == "heading"}
    if not {"mine", "other"} <= names:
        return blocks
    promoted = list(blocks)
    for i in lines:
        promoted[i] = Block("heading", blocks[i].text, blocks[i].section, 1)
    return tuple(promoted)


def _title_line(text: str) -> bool:
    """A short line set as a title, as a document's title is."""
    return len(text) <= _TITLE_LINE_CHARS and _title_case(text) and word_count(text) <= _TITLE_LINE_WORDS


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
        if name == "other" and words < OTHER_DOCUMENT_WORDS and not _has_sections(blocks, start, end):
            owner_dropped = False
            continue
        owner_dropped = True
        drop.update(range(start, end))
        reason = "another legal document" if name == "other" else "annex of another legal document"
        dropped.append(Dropped(text, reason, end - start, words))
    kept = tuple(b for i, b in enumerate(blocks) if i not in drop)
    return Scope(kept, tuple(dropped))


def _has_sections(blocks, start: int, end: int) -> bool:
    """Whether the part titled at `start` (up to `end`, `_end`) has sections of its own: a
    short document ("Acceptable Use Policy", then "Prohibited conduct" and "Enforcement") is
    a document all the same, where a short section that only points to one has none."""
    return any(b.kind == "heading" for b in blocks[start + 1:end])


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

