"""Plain-text rendering of timelines and clause changes for the terminal."""

from __future__ import annotations

import re
import sys
import textwrap
from typing import TYPE_CHECKING

import click

from tracker import diff
from tracker.diff.redline import redline_text
from tracker.read.history import ChangeRow, VersionRow, by_section
from tracker.read.summary import numbered

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar as ClickBar  # what click.progressbar returns

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

MARKS = {"added": "+", "removed": "-", "modified": "~", "moved": ">", "split": "/", "merged": "&", "rewritten": "*",
         "unchanged": "="}
# Printed under timelines that show step counts, so that "+3 -1 ~2 >0 /0 &0 *0" can be read.
LEGEND = ("(each version's counts are clauses changed since the version before it: "
          + ", ".join(f"{MARKS[kind]} {kind}"
                      for kind in ("added", "removed", "modified", "moved", "split", "merged", "rewritten"))
          + "; material and cosmetic count its clause changes by meaning)")


def has_counts(rows: list[VersionRow]) -> bool:
    """Whether timeline_text shows step counts for these rows (then LEGEND explains them)."""
    return any(row.added is not None for row in rows)


def escaped(line: str) -> str:
    """A line naming what a dataset holds (a file or path name), safe to print: every control
    character, a newline included, shown as \\xNN, so no name can add a line of its own or
    move the cursor (`read.sql.printable` makes table cells: newlines as spaces)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line)


def timeline_text(document, rows: list[VersionRow]) -> str:
    lines = [f"{document.provider.name} / {document.name}: {len(rows)} version(s)"]
    for row in rows:
        span = f"{row.first_seen:%Y-%m-%d} .. {row.last_seen:%Y-%m-%d}"
        line = f"  v{row.seq:<3} {span}  {row.captures:>3} capture(s)  {row.clauses:>4} clauses"
        if row.added is not None:
            line += (f"  +{row.added} -{row.removed} ~{row.modified} >{row.moved} /{row.split} &{row.merged}"
                     f" *{row.rewritten}"
                     f"  {row.material_count} material, {row.cosmetic_count} cosmetic")
        if row.effective_date is not None:
            line += f"  states {row.effective_date:%Y-%m-%d}"
        if row.returns_to is not None:
            line += f"  returns to v{row.returns_to}"
        lines.append(line)
        if row.sources:
            lines.append("        from " + "; ".join(source.label() for source in row.sources))
        if row.evidence is not None:
            lines.append("        public evidence: " + row.evidence.line())
    return "\n".join(lines)


def _section(section) -> str:
    return " > ".join(section) if section else "(top)"


def _wrap(text: str, indent: str = "      ") -> str:
    if diff.spaceless(text):  # Chinese or Japanese: textwrap would cut it every 100 characters
        return "\n".join(indent + line for line in diff.wrap_lines(text, 100 - len(indent)))
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def changes_text(changes: list[diff.ClauseEdit]) -> str:
    """Changed clauses in reading order, grouped under the section they belong to, each with
    its number in the step (#3: the number a digest's summary lines and the step page give it)."""
    counts = diff.summarize(changes)
    lines = ["  " + ", ".join(f"{counts[k]} {k}" for k in (*diff.KINDS[1:], "unchanged", "material", "cosmetic"))]
    numbers = {id(change): number for number, change in numbered(changes)}
    for section, group in by_section([c for c in changes if c.kind != "unchanged"]):
        lines.append(f"\n  [{_section(section)}]")
        for change in group:
            lines.append(f"  #{numbers[id(change)]} " + _change_line(change.kind, change.moved, change.cosmetic,
                                                                     change.flags, change.categories,
                                                                     (len(change.old_indexes), len(change.new_indexes))))
            if change.ops:
                lines.append(_wrap(redline_text(change.ops)))
            else:
                lines.append(_wrap(change.new_text if change.new_text is not None else change.old_text))
    return "\n".join(lines)


def _change_line(kind, moved, cosmetic, flags, categories, parts: tuple[int, int] | None = None) -> str:
    """"~ modified (also moved)  flags: negation_removed  categories: data_retention"; with
    ``parts`` (the numbers of old and new clauses), "/ split into 3", "* rewritten from 3 into 2"."""
    line = f"{MARKS[kind]} {kind}"
    if parts is not None and kind in ("merged", "rewritten"):
        line += f" from {parts[0]}"
    if parts is not None and kind in ("split", "rewritten"):
        line += f" into {parts[1]}"
    if moved and kind != "moved":
        line += " (also moved)"
    if cosmetic:
        line += " (cosmetic)"
    if flags:
        line += "  flags: " + ", ".join(flags)
    if categories:
        line += "  categories: " + ", ".join(categories)
    return line


def recorded_changes_text(rows: list[ChangeRow]) -> str:
    lines: list[str] = []
    heading = None
    section = None
    for row in rows:
        key = (row.provider, row.document, row.to_seq)
        if key != heading:
            heading, section = key, None
            lines.append(f"\n{row.provider} / {row.document}: v{row.from_seq} -> v{row.to_seq} "
                         f"first seen {row.date:%Y-%m-%d}{'' if row.step_material else ' (cosmetic)'}")
        row_section = row.new_section if row.new_section is not None else row.old_section
        if row_section != section:
            section = row_section
            lines.append(f"  [{_section(section)}]")
        lines.append("  " + _change_line(row.kind, row.moved, row.cosmetic, row.flags, row.categories))
        lines.append(_wrap(row.redline or row.new_text or row.old_text or ""))
    return "\n".join(lines).lstrip("\n")


def change_dict(change: diff.ClauseEdit) -> dict:
    return {
        "kind": change.kind,
        "old_index": change.old_index,
        "new_index": change.new_index,
        "old_indexes": list(change.old_indexes or ([change.old_index] if change.old_index is not None else [])),
        "new_indexes": list(change.new_indexes or ([change.new_index] if change.new_index is not None else [])),
        "old_section": list(change.old_section) if change.old_section is not None else None,
        "new_section": list(change.new_section) if change.new_section is not None else None,
        "old_text": change.old_text,
        "new_text": change.new_text,
        "similarity": round(change.similarity, 4),
        "moved": change.moved,
        "cosmetic": change.cosmetic,
        "flags": list(change.flags),
        "categories": list(change.categories),
        "redline": redline_text(change.ops) if change.ops else None,
        "ops": [[op.op, op.text] for op in change.ops],
    }


def changes_json(changes: list[diff.ClauseEdit]) -> dict:
    """The structure ``changes_text`` prints: counts, then the changes grouped by section;
    ``changes`` repeats them as one list in reading order."""
    shown = [c for c in changes if c.kind != "unchanged"]
    return {
        "summary": diff.summarize(changes),
        "sections": [{"section": list(section), "changes": [change_dict(c) for c in group]}
                     for section, group in by_section(shown)],
        "changes": [change_dict(c) for c in shown],
    }


class ProgressBar:
    """Download progress, one bar per document, on stderr."""

    def __init__(self) -> None:
        self._bar: ClickBar[int] | None = None
        self._label = ""

    def start(self, label: str, total: int) -> None:
        self.finish()
        self._label = label
        if total:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)  # click.get_text_stream is deprecated
            bar.__enter__()
            self._bar = bar

    def paused(self, pause, left: float) -> None:
        """A pause counts down on the bar (Pacer.on_pause); the log line says why."""
        if self._bar is not None:
            self._bar.label = f"{self._label} [paused {left:.0f} s: see the warning above]"
            self._bar.render_progress()

    def advance(self) -> None:
        if self._bar is not None:
            if self._bar.label != self._label:
                self._bar.label = self._label
            self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
