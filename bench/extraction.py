"""Measure the normalizer on the replay corpus: recall, chrome leak, stability, speed.

    .venv/bin/python bench/extraction.py [--corpus DIR] [--json] [--details]

Per page and in total:
- recall: share of the reference Markdown's sentences (links, images and Markdown markup
  stripped, same text normalisation) found in our text; pooled over captures with a reference.
- leak: share of our words (as a multiset) that the reference does not have.
- false: `noise`/`markup` transitions whose block sequence changed (should be 0).
- missed: `change` transitions whose block sequence stayed equal.
  (Labels are silver: `--details` lists the transitions to check by hand.)
- invalid: captures marked invalid; inv.chg: those among `change` captures (should be 0).
- pages/s: 1 / median time of one `normalize()` call.
Transitions compare a capture with the last valid capture before it, as the pipeline does.
"""

import argparse
import csv
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tracker.normalize import normalize  # noqa: E402
from tracker.textnorm import normalize_text  # noqa: E402

_MIN_SENTENCE_WORDS = 2


@dataclass
class PageResult:
    captures: int = 0
    sentences: int = 0
    found: int = 0
    words: int = 0
    leaked: int = 0
    false_versions: int = 0
    missed_changes: int = 0
    invalid: int = 0
    invalid_changes: int = 0
    seconds: list[float] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "captures": self.captures,
            "recall": round(self.found / self.sentences, 4) if self.sentences else None,
            "leak": round(self.leaked / self.words, 4) if self.words else None,
            "false_versions": self.false_versions,
            "missed_changes": self.missed_changes,
            "invalid": self.invalid,
            "invalid_changes": self.invalid_changes,
            "pages_per_s": round(1 / statistics.median(self.seconds), 1) if self.seconds else None,
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


def recall_check(markdown: str, text: str) -> tuple[list[str], list[str]]:
    """The reference's sentences and those of them missing from `text`."""
    wanted = sentences(markdown_lines(markdown))
    ours = _squeeze(text)
    return wanted, [s for s in wanted if _squeeze(s) not in ours]


def _squeeze(text: str) -> str:
    """Comparison key: no whitespace, any e-mail address (or its placeholder) as one token."""
    return "".join(_EMAIL.sub("@", text).split())


# --- corpus walk ----------------------------------------------------------------------------


def measure_page(page: Path) -> PageResult:
    result = PageResult()
    docs = {}
    for html in sorted(page.glob("*.html")):
        body = html.read_bytes()
        start = time.perf_counter()
        doc = normalize(body)
        result.seconds.append(time.perf_counter() - start)
        result.captures += 1
        docs[html.stem] = doc
        result.invalid += doc.invalid_reason is not None
        reference = page / "reference" / f"{html.stem}.md"
        if reference.exists():
            _score_reference(result, html.stem, doc, reference.read_text(encoding="utf-8"))
    _score_transitions(result, page, docs)
    return result


def _score_reference(result: PageResult, stamp: str, doc, markdown: str) -> None:
    ours = doc.to_text()
    wanted, missing = recall_check(markdown, ours)
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


def _score_transitions(result: PageResult, page: Path, docs: dict) -> None:
    labels_file = page / "labels.csv"
    if not labels_file.exists():
        return
    with labels_file.open(newline="") as handle:
        labels = {row["timestamp"]: row["label"] for row in csv.DictReader(handle)}
    last_valid = None
    for stamp in sorted(docs):
        doc, label = docs[stamp], labels.get(stamp)
        if doc.invalid_reason is not None:
            result.invalid_changes += label == "change"
            if label == "change":
                result.details.append(f"  {stamp}: change capture marked invalid: {doc.invalid_reason}")
            continue
        if last_valid is not None and label is not None:
            same = doc.blocks == last_valid.blocks
            if label in ("noise", "markup") and not same:
                result.false_versions += 1
                result.details.append(f"  {stamp}: false version ({label})")
            if label == "change" and same:
                result.missed_changes += 1
                result.details.append(f"  {stamp}: missed change")
        last_valid = doc


# --- report ---------------------------------------------------------------------------------

_COLUMNS = ("captures", "recall", "leak", "false_versions", "missed_changes", "invalid",
            "invalid_changes", "pages_per_s")
_HEADERS = ("captures", "recall", "leak", "false", "missed", "invalid", "inv.chg", "pages/s")


def total(results: dict[str, PageResult]) -> PageResult:
    pooled = PageResult()
    for result in results.values():
        for name in ("captures", "sentences", "found", "words", "leaked", "false_versions",
                     "missed_changes", "invalid", "invalid_changes"):
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


def default_corpus() -> Path:
    shared = REPO.parent / "shared" / "corpus"
    return shared if shared.exists() else REPO / "tests" / "data" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    parser.add_argument("--details", action="store_true", help="list missing sentences and leaked words")
    args = parser.parse_args()
    pages = sorted(p for p in (args.corpus / "archive").iterdir() if p.is_dir())
    results = {page.name: measure_page(page) for page in pages}
    if args.json:
        figures = {name: r.figures() for name, r in results.items()}
        print(json.dumps({"corpus": str(args.corpus), "pages": figures, "total": total(results).figures()}))
    else:
        print(f"corpus: {args.corpus}")
        print_table(results, args.details)


if __name__ == "__main__":
    main()
