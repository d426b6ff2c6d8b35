"""Telling people: subscribers and their filters, the digest of recorded changes each one is
due (Jinja2 templates, text and HTML), and the outbox that records a digest before sending
it over SMTP. Reads only what was recorded: the database is the seam.

Modules: `subscribers`, `digest` (what goes in a digest and how it reads), `mailer` (the
outbox, SMTP, previews).
"""

from tracker.notify.exceptions import (
    InvalidEmail,
    InvalidFrequency,
    MailConfigError,
    NotifyError,
    UnknownSubscriber,
)

__all__ = ["InvalidEmail", "InvalidFrequency", "MailConfigError", "NotifyError", "UnknownSubscriber"]
