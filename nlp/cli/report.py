"""CLI verbs: report (filled in by its issue)."""

from . import app  # noqa: F401
