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
    "unreadable",
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

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None, fix: str | None = None
    ) -> None:
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


def unreadable(path: str | Path, exc: BaseException) -> NlpError:
    """The per-file error for an exception a reader raised on input it could not take (one bad file's problem).

    An :class:`NlpError` is returned as it is; anything else (a parser's ``RecursionError`` on deeply nested JSON,
    a ``MemoryError``, a broken archive) becomes an :class:`InputError` naming the file and the exception, so one
    bad file never stops the files read with it.

    Examples
    --------
    >>> err = unreadable("a.jsonl", RecursionError("maximum recursion depth exceeded"))
    >>> err.path, err.reason
    ('a.jsonl', 'cannot be read (RecursionError: maximum recursion depth exceeded).')
    """
    if isinstance(exc, NlpError):
        return exc
    return InputError(
        f"cannot be read ({exc.__class__.__name__}: {exc}).",
        path=path,
        fix="check that the file is what its extension says (open it in an editor), or pass it on "
        "its own to see the problem.",
    )
