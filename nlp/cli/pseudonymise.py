"""CLI verbs: pseudonymise (filled in by its issue)."""

from . import app  # noqa: F401
