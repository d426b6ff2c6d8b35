"""The `tracker` command line."""

from tracker.cli.core import main

__all__ = ["main"]
