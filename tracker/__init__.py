"""Historical privacy-policy change tracker."""

__version__ = "0.1.0"
