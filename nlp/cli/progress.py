"""Progress bars for the long steps: the library reports ``progress(done, total)``; this draws it on stderr.

The bar is drawn only when stderr is a terminal (tqdm's ``disable``), so piped or redirected output and the test
runner's output stay clean.
"""

from __future__ import annotations

import sys
from typing import IO, Any

__all__ = ["TerminalProgress"]


def _is_terminal(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal (where a bar is drawn)."""
    return bool(getattr(stream, "isatty", lambda: False)())


class TerminalProgress:
    """A callable ``(done, total)`` that draws a tqdm bar on stderr; a new bar starts when a new step begins.

    Parameters
    ----------
    desc
        What the first bar counts (``stage()`` names the later ones).
    unit
        The unit shown after the counts.
    stream
        Where to draw (default stderr); nothing is drawn unless it is a terminal.
    position
        The line of the bar (0: the first; a second bar at 1 runs beside it, e.g. embedding within a file).

    Examples
    --------
    >>> import io
    >>> with TerminalProgress("folds", stream=io.StringIO()) as bar:   # not a terminal: silent
    ...     for i in range(1, 4):
    ...         bar(i, 3)
    >>> bar.calls
    3
    """

    def __init__(
        self, desc: str = "", *, unit: str = "step", stream: IO[str] | None = None, position: int = 0
    ) -> None:
        self.desc = desc
        self.position = position
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.calls = 0
        self._bar: Any = None

    def stage(self, message: str, unit: str | None = None) -> None:
        """Close the current bar; the next one is labelled ``message`` and counts ``unit`` (default: as before)."""
        self.close()
        self.desc = message
        if unit is not None:
            self.unit = unit

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        if not self.enabled:
            return
        from tqdm import tqdm

        if self._bar is None or self._bar.total != total or done < self._bar.n:
            self.close()
            self._bar = tqdm(
                total=total,
                desc=self.desc,
                unit=self.unit,
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
                position=self.position,
            )
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Remove the bar (if one is drawn)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> TerminalProgress:  # noqa: PYI034 - Python 3.10 has no typing.Self
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
