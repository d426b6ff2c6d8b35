"""Measure the normalizer on the replay corpus against two article extractors, in one run.

    .venv/bin/python bench/extraction.py [--corpus DIR] [--json] [--details] [--no-baselines]

Extractors: the tracker's normalizer; trafilatura (Markdown output, favor_recall=True) and
readability-lxml as baselines (`pip install -e '.[bench]'`; a baseline that is not installed
is skipped with a line saying so). Per page and in total, for each:
- recall: share of the reference Markdown's sentences (links, images and Markdown markup
  stripped, same text normalisation) found in the text; pooled over captures with a reference.
  Sentences that bench/reference_errata.json lists for a page are left out: the silver
  references of three pages keep the site's menus, forms and footers, checked by hand against
  the captures (each page's entry says what); the count left out is printed under the table.
- leak: share of the text's words (as a multiset) that the reference does not have.
- false: `noise`/`markup` transitions that produce a new version (goal 0). A version is what
  the store compares: the clause texts' words and punctuation in order, case and the
  division into clauses aside (a re-flow is no version: `diff.same_words`); for a baseline,
  its visible text. silent: those of them inside an OTA extraction outage, where
  the labels cannot say where the text changed (`labels_silent`, as bench/corpus_eval.py
  sets them aside).
- missed: `change` transitions that produce no new version (goal 0).
  (Labels are silver: `--details` lists the transitions to check by hand.)
- invalid: captures marked invalid; inv.chg: those among `change` captures (should be 0).
- pages/s: 1 / median time of one extraction on one core.
Transitions compare a capture with the last valid capture before it, as the pipeline does, and
the tracker normalises each capture with the navigation its earlier valid captures showed.

The DEV corpus's remaining misses and false versions were checked by hand (visible text of
both captures, e-mail addresses decoded, and the references); none is policy text the
normalizer drops, so they stay counted rather than be fitted away:
- missed, Cloudflare e-mail obfuscation only (the decoded text is equal): Coffee Meets Bagel
  20221212123213, 20221212173501, 20230224183214, 20230225003213, 20230326123213 and
  20230326183213 (the obfuscated span starts after "", "pr" or "privac" of the same address,
  or takes in the full stop after it), 20260212123104 (turned off); Copy.AI 20241012003041
  (on), 20241016003101 (off); Hily 20221222123237 (off); Brevo 20231019183000 (off),
  20231027123000 (on).
- missed, links only (the visible text is equal): UptimeRobot 20260423003030 (two phrases
  became links).
- missed, a re-flow only (the same words, line breaks moved): DeepSeek 20250814123313 (a
  table's cells list their items on one line instead of one per line).
- missed, chrome only: DeepSeek 20250301003158, 20250508123155 (language menu); Coffee Meets
  Bagel 20260505123104 (two empty-alt images dropped, header menu no longer repeated);
  genai-contrib references keep the site's menus, forms and footers, and only those changed:
  Sana 14 (a form's hidden "UTM" fields come and go, a product menu, an event banner),
  Stability AI 4 (footer year, menu entries), Airon 3 (footer links), Pirr 2 (header menu).
- false, real visible change OTA recorded late or not at all (all inside OTA extraction
  outages: "silent"): Hily 20231108063240 and 20240305183241 (new effective dates and
  clauses; OTA's 20240531 "technical" refilter has them), 20241123123254 (an AWS
  Rekognition row removed; also in OTA's 20250121 refilter); npm 20231031003005 (the page
  shows a broken Markdown link, "[license npm to share it][your-content]", fixed at the next
  change); Open Terms Archive 20240318183008 ("Last updated" moved to February 13, 2024;
  OTA's 20240326 refilter has it).
- false, real visible change outside OTA's selection: Bumble 20260121003056 (a "GOOD TO
  KNOW" box adds deletion after 4 years of inactivity, outside the `.formatted-text` OTA
  selects; those boxes are also most of Bumble's leak).
- missed, the table of contents only: npm 20230926003004 (OTA's extraction began to keep
  the page's table of contents, which the normalizer drops as navigation).
- false, another document: happn 20231002003240 serves the "Privacy basics" summary page
  (with injected casino spam, which the normalizer drops) at the policy URL. Only the history
  tells it apart (tracker/versions/otherpage.py), so the pipeline marks it invalid (bench/corpus_eval.py)
  while this bench, which normalises captures one by one, still counts it.
"""

import argparse
import csv
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tracker.diff.words import words as words_of
from tracker.normalize import normalize, remember_navigation
from tracker.normalize.text import normalize_text

_MIN_SENTENCE_WORDS = 2


@dataclass
class PageResult:
    captures: int = 0
    sentences: int = 0
    found: int = 0
    words: int = 0
    leaked: int = 0
    false_versions: int = 0
    labels_silent: int = 0  # of the false versions, those inside an OTA extraction outage
    missed_changes: int = 0
    invalid: int = 0
    invalid_changes: int = 0
    errata: int = 0  # reference sentences left out as chrome (bench/reference_errata.json)
    seconds: list[float] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "captures": self.captures,
            "recall": round(self.found / self.sentences, 4) if self.sentences else None,
            "leak": round(self.leaked / self.words, 4) if self.words else None,
            "false_versions": self.false_versions,
            "labels_silent": self.labels_silent,
            "missed_changes": self.missed_changes,
            "invalid": self.invalid,
            "invalid_changes": self.invalid_changes,
            "pages_per_s": round(1 / statistics.median(self.seconds), 1) if self.seconds else None,
            "errata": self.errata,
        }


# --- reference Markdown -> sentences and words ----------------------------------------------

_TARGET = r"\((?:[^()]|\([^()]*\))*\)"  # a link target, which may hold one level of parentheses
_IMAGE = re.compile(r"!\[[^\]]*\]" + _TARGET)
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]" + _TARGET)
_BR = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"<[^>]+>")
_RULE_LINE = re.compile(r"^\s*(?:[=\-*_]{3,}|\|?\s*:?-{3,}.*)\s*$")
_LINE_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|(?:[*+-]|\d+\.)\s+)+")
_EMPHASIS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)|`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_ESCAPED = re.compile("[\ue000-\ue07f]")
# References show Cloudflare's "[email protected]" where the normalizer decodes the address.
_EMAIL = re.compile(r"\[email protected\]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def markdown_lines(markdown: str) -> list[str]:
    """Visible text of a Markdown reference, one line per paragraph, list item or table cell."""
    text = _HTML_TAG.sub(" ", _BR.sub("\n", _LINK.sub(r"\1", _IMAGE.sub("", markdown))))
    lines = []
    for line in text.splitlines():
        if _RULE_LINE.match(line):
            continue
        # Escaped characters are text, not markup: park them out of the emphasis rule's way.
        line = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), line)
        for cell in line.split("|"):
            cell = _EMPHASIS.sub("", _LINE_PREFIX.sub("", cell))
            lines.append(normalize_text(_ESCAPED.sub(lambda m: chr(ord(m.group(0)) - 0xE000), cell)))
    return [line for line in lines if line]


def sentences(lines: list[str]) -> list[str]:
    found = [s for line in lines for s in _SENTENCE_END.split(line)]
    return [s for s in found if len(s.split()) >= _MIN_SENTENCE_WORDS]


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


def recall_check(markdown: str, text: str, chrome: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """The reference's sentences, less the `chrome` its page's errata list, and those of them
    missing from `text`."""
    wanted = [s for s in sentences(markdown_lines(markdown)) if s not in chrome]
    ours = _squeeze(text)
    return wanted, [s for s in wanted if _squeeze(s) not in ours]


def _squeeze(text: str) -> str:
    """Comparison key: no whitespace, any e-mail address (or its placeholder) as one token."""
    return "".join(_EMAIL.sub("@", text).split())


# --- extractors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    """What an extractor made of one capture: its text, and what decides "same version"."""

    text: str
    version_key: object
    invalid: bool


@dataclass(frozen=True)
class Extractor:
    name: str
    # A fresh extraction function for one page's captures, given in time order (the tracker's
    # remembers what earlier captures showed; a baseline's is stateless).
    for_page: Callable[[], Callable[[bytes], Extraction]]


def _tracker_page() -> Callable[[bytes], Extraction]:
    """The tracker as the pipeline runs it over a page's captures in time order: each capture
    normalised with the navigation its earlier valid captures showed (tracker.versions)."""
    known: list = []

    def extract(body: bytes) -> Extraction:
        doc = normalize(body, navigation=tuple(known))
        if doc.invalid_reason is None:
            remember_navigation(known, doc.navigation)
        return Extraction(doc.to_text(), reading_key(b.text for b in doc.blocks), doc.invalid_reason is not None)

    return extract


def reading_key(texts) -> str:
    """What decides "same version" in the store: the clause texts' words and punctuation in
    order, case and the division into clauses aside (`diff.same_words`, a re-flow)."""
    digest = hashlib.sha256()
    for text in texts:
        for word in words_of(text):
            digest.update(word.casefold().encode("utf-8") + b"\x00")
    return digest.hexdigest()


def _text_extraction(lines: list[str]) -> Extraction:
    text = "".join(line + "\n" for line in lines)
    return Extraction(text, text, not text)


def _trafilatura() -> Extractor | str:
    try:
        import trafilatura
    except ImportError:
        return "trafilatura: not installed (pip install -e '.[bench]'), skipped"

    def extract(body: bytes) -> Extraction:
        markdown = trafilatura.extract(body, output_format="markdown", favor_recall=True) or ""
        return _text_extraction(markdown_lines(markdown))

    return Extractor(f"trafilatura {trafilatura.__version__}", lambda: extract)


def _readability() -> Extractor | str:
    try:
        from importlib.metadata import version

        from lxml import html as lxml_html
        from readability import Document as Readable
    except ImportError:
        return "readability-lxml: not installed (pip install -e '.[bench]'), skipped"

    def extract(body: bytes) -> Extraction:
        summary = Readable(body).summary(html_partial=True)
        root = lxml_html.fromstring(summary) if summary.strip() else None
        lines = [] if root is None else [normalize_text(t) for t in root.itertext()]
        return _text_extraction([line for line in lines if line])

    return Extractor(f"readability-lxml {version('readability-lxml')}", lambda: extract)


TRACKER = Extractor("tracker", _tracker_page)


def extractors(baselines: bool) -> tuple[list[Extractor], list[str]]:
    """The tracker, then each installed baseline; and a line for each baseline skipped."""
    found, skipped = [TRACKER], []
    for make in (_trafilatura, _readability) if baselines else ():
        made = make()
        (found if isinstance(made, Extractor) else skipped).append(made)
    return found, skipped


# --- corpus walk ----------------------------------------------------------------------------


ERRATA = Path(__file__).with_name("reference_errata.json")


def reference_chrome(page: Path) -> frozenset[str]:
    """The sentences of `page`'s references that the errata show are the site's chrome."""
    entry = json.loads(ERRATA.read_text(encoding="utf-8")).get(page.name, {})
    return frozenset(entry.get("chrome_sentences", ()))


def measure_page(page: Path, extractor: Extractor = TRACKER) -> PageResult:
    result = PageResult()
    chrome = reference_chrome(page)
    done = {}
    extract = extractor.for_page()
    for html in sorted(page.glob("*.html")):
        body = html.read_bytes()
        start = time.perf_counter()
        extraction = extract(body)
        result.seconds.append(time.perf_counter() - start)
        result.captures += 1
        done[html.stem] = extraction
        result.invalid += extraction.invalid
        reference = page / "reference" / f"{html.stem}.md"
        if reference.exists():
            _score_reference(result, html.stem, extraction.text, reference.read_text(encoding="utf-8"), chrome)
    _score_transitions(result, page, done)
    return result


def _score_reference(result: PageResult, stamp: str, ours: str, markdown: str, chrome: frozenset[str]) -> None:
    wanted, missing = recall_check(markdown, ours, chrome)
    result.errata += len(sentences(markdown_lines(markdown))) - len(wanted)
    our_words, ref_words = words(ours), words("\n".join(markdown_lines(markdown)))
    leaked = our_words - ref_words
    result.sentences += len(wanted)
    result.found += len(wanted) - len(missing)
    result.words += sum(our_words.values())
    result.leaked += sum(leaked.values())
    if missing or leaked:
        result.details.append(f"  {stamp}: {len(missing)}/{len(wanted)} sentences missing, "
                              f"{sum(leaked.values())} words leaked")
        result.details += [f"    - {s[:150]}" for s in missing[:15]]
        result.details.append("    leaked: " + " ".join(f"{w}x{n}" for w, n in leaked.most_common(25)))


def _score_transitions(result: PageResult, page: Path, done: dict[str, Extraction]) -> None:
    labels_file = page / "labels.csv"
    if not labels_file.exists():
        return
    with labels_file.open(newline="") as handle:
        labels = {row["timestamp"]: row["label"] for row in csv.DictReader(handle)}
    last_valid = None
    for stamp in sorted(done):
        extraction, label = done[stamp], labels.get(stamp)
        if extraction.invalid:
            result.invalid_changes += label == "change"
            if label == "change":
                result.details.append(f"  {stamp}: change capture marked invalid")
            continue
        if last_valid is not None and label is not None:
            same = extraction.version_key == last_valid.version_key
            if label in ("noise", "markup") and not same:
                result.false_versions += 1
                silent = labels_silent(page, labels, stamp)
                result.labels_silent += silent
                result.details.append(f"  {stamp}: false version ({label}{', labels silent' if silent else ''})")
            if label == "change" and same:
                result.missed_changes += 1
                result.details.append(f"  {stamp}: missed change")
        last_valid = extraction


def labels_silent(folder: Path, labels: dict[str, str], stamp: str) -> bool:
    """True when `stamp` lies in a run of `noise` that a `technical` re-extraction closes with
    another text than the run's last reference: OTA was not extracting, the labels say nothing."""
    later = sorted(t for t, label in labels.items() if t > stamp and label != "noise")
    if not later or labels[later[0]] != "technical":
        return False
    references = sorted(p.stem for p in (folder / "reference").glob("*.md"))
    before = [r for r in references if r < stamp]
    if not before or later[0] not in references:
        return False
    return _visible(folder, before[-1]) != _visible(folder, later[0])


def _visible(folder: Path, stamp: str) -> list[str]:
    return markdown_lines((folder / "reference" / f"{stamp}.md").read_text("utf-8"))


# --- report ---------------------------------------------------------------------------------

_COLUMNS = ("captures", "recall", "leak", "false_versions", "labels_silent", "missed_changes", "invalid",
            "invalid_changes", "pages_per_s")
_HEADERS = ("captures", "recall", "leak", "false", "silent", "missed", "invalid", "inv.chg", "pages/s")


def total(results: dict[str, PageResult]) -> PageResult:
    pooled = PageResult()
    for result in results.values():
        for name in ("captures", "sentences", "found", "words", "leaked", "false_versions", "labels_silent",
                     "missed_changes", "invalid", "invalid_changes", "errata"):
            setattr(pooled, name, getattr(pooled, name) + getattr(result, name))
        pooled.seconds += result.seconds
    return pooled


def print_table(results: dict[str, PageResult], details: bool) -> None:
    width = max(map(len, [*results, "TOTAL"]))
    print(f"{'page':<{width}}  " + "  ".join(f"{h:>8}" for h in _HEADERS))
    for name, result in [*results.items(), ("TOTAL", total(results))]:
        figures = result.figures()
        cells = ("-" if figures[c] is None else str(figures[c]) for c in _COLUMNS)
        print(f"{name:<{width}}  " + "  ".join(f"{c:>8}" for c in cells))
        if details and result.details:
            print("\n".join(result.details))
    print(f"recall leaves out {total(results).errata} reference sentences that {ERRATA.name} shows are chrome")


def print_comparison(totals: dict[str, dict]) -> None:
    """Totals side by side; pages/s also as the tracker's speed over the baseline's."""
    ours = totals[TRACKER.name]
    width = max(map(len, totals))
    print(f"{'extractor':<{width}}  " + "  ".join(f"{h:>8}" for h in (*_HEADERS, "tracker x")))
    for name, figures in totals.items():
        cells = ["-" if figures[c] is None else str(figures[c]) for c in _COLUMNS]
        speedup = ours["pages_per_s"] / figures["pages_per_s"] if figures["pages_per_s"] else None
        cells.append("-" if speedup is None else f"{speedup:.1f}")
        print(f"{name:<{width}}  " + "  ".join(f"{c:>8}" for c in cells))


def default_corpus() -> Path:
    shared = REPO.parent / "shared" / "corpus"
    return shared if shared.exists() else REPO / "tests" / "data" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    parser.add_argument("--details", action="store_true", help="list missing sentences and leaked words")
    parser.add_argument("--no-baselines", action="store_true", help="measure the tracker only")
    args = parser.parse_args()
    pages = sorted(p for p in (args.corpus / "archive").iterdir() if p.is_dir())
    found, skipped = extractors(not args.no_baselines)
    runs = {e.name: {page.name: measure_page(page, e) for page in pages} for e in found}
    totals = {name: total(results).figures() for name, results in runs.items()}
    if args.json:
        print(json.dumps({
            "corpus": str(args.corpus),
            "pages": {name: r.figures() for name, r in runs[TRACKER.name].items()},
            "total": totals[TRACKER.name],
            "baselines": {name: {"pages": {page: r.figures() for page, r in results.items()},
                                 "total": totals[name]}
                          for name, results in runs.items() if name != TRACKER.name},
            "skipped": skipped,
        }))
        return
    print(f"corpus: {args.corpus}")
    for line in skipped:
        print(line)
    for name, results in runs.items():
        print(f"\n{name}")
        print_table(results, args.details)
    print("\ntotals side by side (tracker x: the tracker's pages/s over the extractor's)")
    print_comparison(totals)


if __name__ == "__main__":
    main()
