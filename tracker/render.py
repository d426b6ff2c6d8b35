"""Plain-text rendering of timelines and clause changes for the terminal."""

from __future__ import annotations

import textwrap

import click

from tracker import diff
from tracker.history import ChangeRow, VersionRow

MARKS = {"added": "+", "removed": "-", "modified": "~", "moved": ">", "unchanged": "="}


def timeline_text(document, rows: list[VersionRow]) -> str:
    lines = [f"{document.provider.name} / {document.name}: {len(rows)} version(s)"]
    for row in rows:
        span = f"{row.first_seen:%Y-%m-%d} .. {row.last_seen:%Y-%m-%d}"
        line = f"  v{row.seq:<3} {span}  {row.captures:>3} capture(s)  {row.clauses:>4} clauses"
        if row.added is not None:
            line += (f"  +{row.added} -{row.removed} ~{row.modified} >{row.moved}"
                     f"{'' if row.material else '  (cosmetic)'}")
        lines.append(line)
    return "\n".join(lines)


def _section(section) -> str:
    return " > ".join(section) if section else "(top)"


def _wrap(text: str, indent: str = "      ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def changes_text(changes: list[diff.ClauseChange]) -> str:
    """Changed clauses in reading order, under the section they belong to."""
    lines: list[str] = []
    shown = [c for c in changes if c.kind != "unchanged"]
    counts = diff.summarize(changes)
    lines.append("  " + ", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "modified", "moved", "unchanged")))
    current = None
    for change in shown:
        section = change.new_section if change.new_section is not None else change.old_section
        if section != current:
            current = section
            lines.append(f"\n  [{_section(section)}]")
        moved = " (also moved)" if change.kind == "modified" and change.moved else ""
        lines.append(f"  {MARKS[change.kind]} {change.kind}{moved}")
        if change.kind == "modified":
            lines.append(_wrap(diff.redline(change.ops)))
        else:
            lines.append(_wrap(change.new_text if change.new_text is not None else change.old_text))
    return "\n".join(lines)


def recorded_changes_text(rows: list[ChangeRow]) -> str:
    lines: list[str] = []
    heading = None
    for row in rows:
        key = (row.provider, row.document, row.to_seq)
        if key != heading:
            heading = key
            lines.append(f"\n{row.provider} / {row.document}: v{row.from_seq} -> v{row.to_seq} "
                         f"first seen {row.date:%Y-%m-%d}{'' if row.material else ' (cosmetic)'}")
        section = row.new_section if row.new_section is not None else row.old_section
        lines.append(f"  {MARKS[row.kind]} {row.kind} [{_section(section)}]")
        lines.append(_wrap(row.redline or row.new_text or row.old_text or ""))
    return "\n".join(lines).lstrip("\n")


def change_dict(change: diff.ClauseChange) -> dict:
    return {
        "kind": change.kind,
        "old_index": change.old_index,
        "new_index": change.new_index,
        "old_section": list(change.old_section) if change.old_section is not None else None,
        "new_section": list(change.new_section) if change.new_section is not None else None,
        "old_text": change.old_text,
        "new_text": change.new_text,
        "similarity": round(change.similarity, 4),
        "moved": change.moved,
        "redline": diff.redline(change.ops) if change.ops else None,
        "ops": [[op.op, op.text] for op in change.ops],
    }


class ProgressBar:
    """Download progress, one bar per document, on stderr."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, label: str, total: int) -> None:
        self.finish()
        if total:
            self._bar = click.progressbar(length=total, label=label, file=click.get_text_stream("stderr"))
            self._bar.__enter__()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
