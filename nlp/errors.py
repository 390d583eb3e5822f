"""Exceptions and warnings that say what was given, what was expected and how to fix it.

Every error raised for user input is an :class:`NlpError`; the CLI catches it and prints its message without a
traceback. Messages name the file (and the line, where one is known) and the fix.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "DataWarning",
    "EncodingError",
    "InputError",
    "ModelFileError",
    "NlpError",
    "where",
]


def where(path: str | Path | None, line: int | None = None) -> str:
    """Format a location for a message: ``'file.txt, line 12: '`` (empty when nothing is known)."""
    if path is None:
        return ""
    return f"{path}, line {line}: " if line is not None else f"{path}: "


class NlpError(Exception):
    """Base class for every error this package raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in words a researcher understands.
    path, line
        Where, if known; prefixed to the message.
    fix
        What to do about it; appended to the message.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 fix: str | None = None) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.fix = fix
        self.reason = message
        text = where(path, line) + message
        if fix:
            text += f" Fix: {fix}"
        super().__init__(text)


class InputError(NlpError):
    """A file or value given by the user cannot be used as it is."""


class EncodingError(InputError):
    """A file's bytes cannot be decoded as any supported text encoding."""


class ModelFileError(NlpError):
    """A saved model folder is missing, truncated, tampered with or from an incompatible version."""


class ConfigError(NlpError):
    """An option or combination of options is invalid."""


class DataWarning(UserWarning):
    """Something in the input was handled in a way the user should know about (e.g. no speaker turns found)."""
