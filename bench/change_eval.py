"""Score the words the tracker's clause changes report against the words that really changed.

    .venv/bin/python bench/change_eval.py [--corpus DIR] [--json] [--details]

Over every labelled `change` transition of the corpus whose two captures both have a
reference extraction:
- truth: a word-level diff of the two reference texts (link targets and Markdown markup
  removed, case and punctuation ignored); the words it deletes and inserts. A sentence found
  unchanged in both texts is taken out first, so a sentence that only moved is not counted; a
  sentence that moved with an edit (`moved_edits`: the same sentence, at least MOVE_SIMILARITY
  of its words kept, out of the order the other such sentences keep) counts only its edit,
  which the word diff of the whole text, matching only in order, would count as every word of
  it deleted and inserted. The figures against that earlier truth are printed too.
- tracker: the clause changes between the two captures' normalized texts (`diff_clauses`), as
  the store keeps them and a digest's redline shows them: modified, split, merged and rewritten
  give the words of their delete and insert ops (a changed run that only changes case or
  punctuation, `tracker.diff.words.case_only`, gives none: the truth and the line diff compare
  words lower-cased); added and removed give all their words; moved gives none. A capture
  the tracker marks invalid reports nothing (the pipeline records no version for it).
- tracker pairing: the same clause changes, each paired change scored by a plain word diff of
  its old and new texts instead of its ops: the pairing alone, without the redline's choices
  (a lone Chinese character both sides share inside a rewritten phrase shown as part of the
  replacement, tracker.diff.words).
- baseline, in the same run: a plain line diff (difflib) of the tracker's own normalized
  text, each replaced run of lines refined by a word diff.
Deleted and inserted words are compared as multisets (a word deleted is not a word inserted):
recall = true words reported / true words, precision = true words reported / words reported.
Per page and pooled over all transitions. Words: `tracker.diff.words.words`, lower-cased, without
punctuation (CJK text: one word per character).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from extraction import default_corpus, markdown_lines  # noqa: E402

from tracker.diff import diff_clauses  # noqa: E402
from tracker.diff.words import case_only, changed_runs, words  # noqa: E402
from tracker.importers import Blobs, ota_records  # noqa: E402
from tracker.normalize import MARKDOWN, normalize  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_PUNCTUATION = re.compile(r"^[^\w]+$")
# A sentence that moved with an edit (moved_edits): at least this many words, and a word diff
# with its other place keeping at least this share (SequenceMatcher's ratio).
OTA_BUNDLE = REPO.parent / "shared" / "ota-versions" / "privacy-policies.bundle"
MOVE_MIN_WORDS = 5
MOVE_SIMILARITY = 0.6


def word_list(text: str) -> list[str]:
    """Words of a text for scoring: lower-case, punctuation dropped."""
    return [w.lower() for w in words(text) if not _PUNCTUATION.match(w)]


def changed_words(old: list[str], new: list[str]) -> Counter:
    """Multiset of ("-", word) deleted and ("+", word) inserted by a word diff."""
    found: Counter = Counter()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            found.update(("-", w) for w in old[i1:i2])
            found.update(("+", w) for w in new[j1:j2])
    return found


def reference_changes(old_md: str, new_md: str, moves: bool = True) -> Counter:
    """The truth: the word diff of the two references, sentences present in both taken out, and
    each sentence that moved with an edit (`moved_edits`) counted by its own word diff (unless
    ``moves`` is false: the truth of before, which counts such a sentence whole)."""
    old_sents = _sentences(old_md)
    new_sents = _sentences(new_md)
    common = Counter(old_sents) & Counter(new_sents)
    old_rest, new_rest = _without(old_sents, common), _without(new_sents, common)
    moved = moved_edits(old_rest, new_rest) if moves else []
    found: Counter = Counter()
    for i, j in moved:
        found += changed_words(list(old_rest[i]), list(new_rest[j]))
    old_moved, new_moved = {i for i, _ in moved}, {j for _, j in moved}
    return found + changed_words([w for i, s in enumerate(old_rest) if i not in old_moved for w in s],
                                 [w for j, s in enumerate(new_rest) if j not in new_moved for w in s])


def moved_edits(old: list[tuple[str, ...]], new: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Sentences that moved with an edit: an old and a new sentence of at least MOVE_MIN_WORDS
    words whose word diff keeps at least MOVE_SIMILARITY of them (paired best first, one to
    one), outside the longest run of such pairs that keeps its order on both sides. A word diff
    of the whole text can match a sentence only in order, so it counts every word of a sentence
    that moved as deleted and inserted; as a sentence that only moved counts nothing, one that
    moved and was edited counts its edit."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for i, sentence in enumerate(old):
        if len(sentence) >= MOVE_MIN_WORDS:
            for label in _labels(sentence):
                postings[label].append(i)
    scored = []
    for j, sentence in enumerate(new):
        if len(sentence) < MOVE_MIN_WORDS:
            continue
        shared: Counter = Counter()
        for label in _labels(sentence):
            shared.update(postings.get(label, ()))
        for i, count in shared.items():
            if 2 * count / (len(old[i]) + len(sentence)) >= MOVE_SIMILARITY:
                ratio = SequenceMatcher(None, old[i], sentence, autojunk=False).ratio()
                if ratio >= MOVE_SIMILARITY:
                    scored.append((-ratio, i, j))
    pairs, taken_old, taken_new = [], set(), set()
    for _, i, j in sorted(scored):
        if i not in taken_old and j not in taken_new:
            pairs.append((i, j))
            taken_old.add(i)
            taken_new.add(j)
    in_order = set(_longest_in_order(sorted(pairs)))
    return [pair for pair in pairs if pair not in in_order]


def _labels(sentence: tuple[str, ...]) -> set[str]:
    """The sentence's words labelled by occurrence ("the", "the 2", ...): two sentences share
    as many labels as words, repeats included."""
    seen: Counter = Counter()
    labels = set()
    for word in sentence:
        seen[word] += 1
        labels.add(f"{word} {seen[word]}")
    return labels


def _longest_in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by old index) increasing in new index too."""
    tails: list[int] = []
    ends: list[int] = []
    before: list[int | None] = [None] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        n = bisect_left(tails, j)
        if n:
            before[k] = ends[n - 1]
        if n == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[n], ends[n] = j, k
    run = []
    last = ends[-1] if ends else None
    while last is not None:
        run.append(pairs[last])
        last = before[last]
    return run


def _sentences(markdown: str) -> list[tuple[str, ...]]:
    found = []
    for line in markdown_lines(markdown):
        for sentence in _SENTENCE_END.split(line):
            ws = tuple(word_list(sentence))
            if ws:
                found.append(ws)
    return found


def _without(sentences: list[tuple[str, ...]], common: Counter) -> list[tuple[str, ...]]:
    left = Counter(common)
    out: list[tuple[str, ...]] = []
    for sentence in sentences:
        if left[sentence] > 0:
            left[sentence] -= 1
            continue
        out.append(sentence)
    return out


def tracker_changes(old_doc, new_doc, redline: bool = True) -> Counter:
    """What the tracker's clause changes report as deleted and inserted words: a paired change's
    ops (`redline`), or a word diff of its texts."""
    found: Counter = Counter()
    if new_doc.invalid_reason is not None:
        return found
    for change in diff_clauses(old_doc.blocks, new_doc.blocks):
        if change.ops and redline:
            found += redline_words(change.ops)
        elif change.ops:
            found += changed_words(word_list(change.old_text), word_list(change.new_text))
        elif change.kind == "added":
            found.update(("+", w) for w in word_list(change.new_text))
        elif change.kind == "removed":
            found.update(("-", w) for w in word_list(change.old_text))
    return found


def redline_words(ops) -> Counter:
    """The words a redline's changed runs delete and insert, a run that changes only case or
    punctuation aside (read case aside, as the truth and the line diff read every word)."""
    found: Counter = Counter()
    for deleted, inserted in changed_runs(ops):
        if not case_only(deleted, inserted):
            found.update(("-", w) for w in word_list(deleted))
            found.update(("+", w) for w in word_list(inserted))
    return found


def line_diff_changes(old_doc, new_doc) -> Counter:
    """The baseline: difflib over the normalized text's lines, replaced runs word-diffed."""
    found: Counter = Counter()
    if new_doc.invalid_reason is not None:
        return found
    old_lines, new_lines = old_doc.to_text().splitlines(), new_doc.to_text().splitlines()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag != "equal":
            found += changed_words(word_list(" ".join(old_lines[i1:i2])), word_list(" ".join(new_lines[j1:j2])))
    return found


@dataclass
class Score:
    truth: int = 0
    reported: int = 0
    hits: int = 0
    transitions: int = 0
    details: list[str] = field(default_factory=list)

    def add(self, truth: Counter, reported: Counter) -> tuple[int, int, int]:
        hits = sum((truth & reported).values())
        t, r = sum(truth.values()), sum(reported.values())
        self.truth += t
        self.reported += r
        self.hits += hits
        self.transitions += 1
        return t, r, hits

    def merge(self, other: Score) -> None:
        self.truth += other.truth
        self.reported += other.reported
        self.hits += other.hits
        self.transitions += other.transitions

    def figures(self) -> dict:
        recall = self.hits / self.truth if self.truth else None
        precision = self.hits / self.reported if self.reported else None
        f1 = (2 * recall * precision / (recall + precision)
              if recall is not None and precision is not None and recall + precision else None)
        return {"transitions": self.transitions, "true_words": self.truth, "reported_words": self.reported,
                "recall": _round(recall), "precision": _round(precision), "f1": _round(f1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


METHODS = {"tracker": tracker_changes, "tracker pairing": lambda old, new: tracker_changes(old, new, redline=False),
           "line diff": line_diff_changes}


def measure_page(page: Path) -> tuple[dict[str, Score], dict[str, Score]]:
    """Each method's score against the truth, and against the truth that counts a sentence that
    moved with an edit whole (as before moved_edits)."""
    scores = {name: Score() for name in METHODS}
    plain = {name: Score() for name in METHODS}
    labels_file = page / "labels.csv"
    if not labels_file.exists():
        return scores, plain
    with labels_file.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == "change" and r["prev_timestamp"]]
    cache: dict[str, object] = {}

    def doc(stamp: str):
        if stamp not in cache:
            cache[stamp] = normalize((page / f"{stamp}.html").read_bytes())
        return cache[stamp]

    for row in rows:
        new, old = row["timestamp"], row["prev_timestamp"]
        refs = [page / "reference" / f"{s}.md" for s in (old, new)]
        if not all(r.exists() for r in refs) or not all((page / f"{s}.html").exists() for s in (old, new)):
            continue
        texts = [r.read_text(encoding="utf-8") for r in refs]
        truth, truth_plain = reference_changes(*texts), reference_changes(*texts, moves=False)
        for name, method in METHODS.items():
            found = method(doc(old), doc(new))
            t, r, hits = scores[name].add(truth, found)
            plain[name].add(truth_plain, found)
            scores[name].details.append(f"  {old} -> {new}: true {t}, reported {r}, hits {hits}")
    return scores, plain


def measure_ota(repo: Path) -> dict[str, tuple[dict[str, Score], dict[str, Score]]]:
    """The same scores over an Open Terms Archive versions repository (a clone, or a bundle,
    cloned first into a temporary folder): each recorded change of a service's privacy policy
    against the record before it, the two Markdown versions serving as both the references and
    the tracker's input (as `tracker import ota` reads them). Technical records (a
    re-extraction: the page did not change) are no transitions, but are the next one's "before".
    Texts the corpus's rules were never tuned on."""
    if repo.is_file():
        with tempfile.TemporaryDirectory() as clone:
            subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo), clone], check=True, capture_output=True)
            return measure_ota(Path(clone))
    measured: dict[str, tuple[dict[str, Score], dict[str, Score]]] = {}
    last: dict[str, str] = {}
    with Blobs(repo) as blobs:
        for pending in ota_records(repo, blobs, rev=_branch(repo))[1]:
            record = pending.load()
            if isinstance(record, str):
                continue
            text = record.body.decode("utf-8")
            before = last.get(record.provider)
            last[record.provider] = text
            if before is None or record.technical:
                continue
            scores, plain = measured.setdefault(record.provider, ({n: Score() for n in METHODS}, {n: Score() for n in METHODS}))
            truth, truth_plain = reference_changes(before, text), reference_changes(before, text, moves=False)
            old_doc, new_doc = normalize(before.encode("utf-8"), MARKDOWN), normalize(record.body, MARKDOWN)
            for name, method in METHODS.items():
                found = method(old_doc, new_doc)
                t, r, hits = scores[name].add(truth, found)
                plain[name].add(truth_plain, found)
                scores[name].details.append(f"  {pending.source_ref}: true {t}, reported {r}, hits {hits}")
    return measured


def _branch(repo: Path) -> str:
    """HEAD, or the only branch of a clone whose HEAD names none (a bundle without HEAD)."""
    heads = subprocess.run(["git", "-C", str(repo), "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes"],
                           capture_output=True, text=True, check=True).stdout.split()
    has_head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True).returncode == 0
    return "HEAD" if has_head or not heads else heads[0]


def pooled_scores(measured: dict) -> tuple[dict[str, Score], dict[str, Score]]:
    pooled = {name: Score() for name in METHODS}
    pooled_plain = {name: Score() for name in METHODS}
    for scores, plain in measured.values():
        for name in METHODS:
            pooled[name].merge(scores[name])
            pooled_plain[name].merge(plain[name])
    return pooled, pooled_plain


def figures_of(source: str, measured: dict) -> dict:
    pooled, pooled_plain = pooled_scores(measured)
    return {
        "source": source,
        "pages": {page: {name: s.figures() for name, s in scores.items()}
                  for page, (scores, _) in measured.items() if scores["tracker"].transitions},
        "pooled": {name: s.figures() for name, s in pooled.items()},
        "pooled, moved sentences counted whole": {name: s.figures() for name, s in pooled_plain.items()},
    }


def print_table(source: str, measured: dict, details: bool) -> None:
    pooled, pooled_plain = pooled_scores(measured)
    per_page = {name: s for name, (s, _) in measured.items() if s["tracker"].transitions}
    print(source)
    width = max(map(len, [*per_page, "POOLED"]))
    head = "  ".join(f"{h:>9}" for h in ("trans.", "true", "recall", "precision", "F1"))
    print(f"{'':<{width}}  " + "   ".join(f"{name:^53}" for name in METHODS))
    print(f"{'page':<{width}}  " + "   ".join(head for _ in METHODS))
    for page, scores in [*per_page.items(), ("POOLED", pooled)]:
        cells = []
        for name in METHODS:
            f = scores[name].figures()
            cells.append("  ".join(f"{'-' if f[k] is None else f[k]:>9}"
                                   for k in ("transitions", "true_words", "recall", "precision", "f1")))
        print(f"{page:<{width}}  " + "   ".join(cells))
        if details and page != "POOLED":
            print("\n".join(scores["tracker"].details))
    ours, base = pooled["tracker"].figures(), pooled["line diff"].figures()
    if ours["precision"] and base["precision"]:
        met = ours["precision"] >= base["precision"] and ours["recall"] >= base["recall"]
        print(f"\ntracker/line diff: precision {ours['precision'] / base['precision']:.4f}, "
              f"recall {ours['recall'] / base['recall']:.4f}; goal: both at least 1 ({'met' if met else 'not met'})")
    figures = {name: pooled_plain[name].figures() for name in METHODS}
    print("against the truth that counts a sentence moved with an edit whole (before moved_edits): "
          + ", ".join(f"{name} {f['recall']} / {f['precision']}" for name, f in figures.items())
          + " (recall / precision)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--ota", type=Path, nargs="?", const=OTA_BUNDLE, default=None, metavar="REPO",
                        help="also score an Open Terms Archive versions repository or bundle "
                             f"(default: {OTA_BUNDLE.relative_to(REPO.parent)})")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    parser.add_argument("--details", action="store_true", help="one line per transition")
    args = parser.parse_args()
    pages = sorted(p for p in (args.corpus / "archive").iterdir() if p.is_dir())
    sets = [(f"corpus: {args.corpus}", {page.name: measure_page(page) for page in pages})]
    if args.ota:
        sets.append((f"Open Terms Archive versions: {args.ota}", measure_ota(args.ota)))
    if args.json:
        corpus = figures_of(str(args.corpus), sets[0][1])
        corpus["corpus"] = corpus.pop("source")
        if args.ota:
            corpus["ota"] = figures_of(str(args.ota), sets[1][1])
        print(json.dumps(corpus))
        return
    for k, (source, measured) in enumerate(sets):
        if k:
            print()
        print_table(source, measured, args.details)


if __name__ == "__main__":
    main()
