"""The one base class of the tracker's errors.

Every stage raises its own subclasses (each package's `exceptions.py` says when); the CLI
shows any `TrackerError` as one line and a non-zero exit. Anything else is a bug and keeps
its traceback.
"""


class TrackerError(Exception):
    """Something the user or the world caused (bad input, an unreachable archive, a full
    disk), as opposed to a bug."""
