"""The `tracker` command line."""

from tracker.cli._group import main

__all__ = ["main"]
