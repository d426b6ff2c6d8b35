"""Subscriptions' and mail's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class NotifyError(TrackerError):
    """Base class of the subscriptions' and digests' errors."""


class InvalidEmail(NotifyError):
    """Raised when an address is not a plain `local@domain.tld` e-mail address."""


class InvalidFrequency(NotifyError):
    """Raised when a digest frequency is not one the scheduler knows."""


class UnknownSubscriber(NotifyError):
    """Raised when no subscriber has the address given."""


class MailConfigError(NotifyError):
    """Raised when the SMTP settings are unusable (unknown security mode, password without user)."""
