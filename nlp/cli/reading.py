"""The file-reading options shared by every verb that reads files, and their one exit convention.

``@reads_files`` adds the options (``--max-mb``, ``--encoding``, ``--kind``, ``--interviewer``, ``--informant``,
the ``--*-column`` names, and ``--positions``/``--coder-from`` for REFI-QDA projects) to a command, defined once here, and hands the command one :class:`ReadOptions`
(``reading``). :func:`report_unread` prints the files that could not be read and exits with status 1 after the
good files were processed, as ``nlp ingest`` always did.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Annotated, Any

import typer

__all__ = ["DEFAULT_MAX_MB", "ReadOptions", "reads_files", "report_unread"]

#: ``nlp.ingest.DEFAULT_MAX_BYTES`` in MB (not imported, so that ``--help`` stays fast; a test holds them equal).
DEFAULT_MAX_MB = 50.0
_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadOptions:
    """How to read input files; :meth:`kwargs` gives them as :func:`nlp.ingest.read_path` takes them."""

    max_mb: float = DEFAULT_MAX_MB
    encoding: str | None = None
    kind: str = "auto"
    interviewer: tuple[str, ...] = ()
    informant: tuple[str, ...] = ()
    text_column: str | None = None
    speaker_column: str | None = None
    doc_column: str | None = None
    start_column: str | None = None
    end_column: str | None = None
    kind_column: str | None = None
    positions: str = "auto"
    coder_from: str = "coding"

    @property
    def max_bytes(self) -> int:
        """The size cap in bytes."""
        return int(self.max_mb * _MB)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`nlp.ingest.read_path` (and :func:`nlp.classify.read_units`).

        Examples
        --------
        >>> ReadOptions(max_mb=1, text_column="tekst").kwargs()["max_bytes"]
        1048576
        """
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "max_mb"}
        out["interviewer"], out["informant"] = list(self.interviewer), list(self.informant)
        out["max_bytes"] = self.max_bytes
        return out


# One definition per option: (parameter name, annotation, default).
_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    (
        "max_mb",
        Annotated[
            float,
            typer.Option(
                "--max-mb",
                help="Largest file to read, in MB (checked before reading).",
                rich_help_panel="Reading files",
            ),
        ],
        DEFAULT_MAX_MB,
    ),
    (
        "encoding",
        Annotated[
            str | None,
            typer.Option(
                "--encoding",
                help="Force a text encoding (e.g. cp1252); detected when left out.",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "kind",
        Annotated[
            str,
            typer.Option(
                "--kind",
                help="auto|txt|pdf-text|docx|vtt|srt|csv|tsv|jsonl|qdpx. auto: by extension; PDF-extracted .txt "
                "is recognised.",
                rich_help_panel="Reading files",
            ),
        ],
        "auto",
    ),
    (
        "interviewer",
        Annotated[
            list[str] | None,
            typer.Option(
                "--interviewer",
                help="A speaker label of the interviewer (repeat for several), e.g. --interviewer KM.",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "informant",
        Annotated[
            list[str] | None,
            typer.Option(
                "--informant",
                help="A speaker label of an informant (repeatable).",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "text_column",
        Annotated[
            str | None,
            typer.Option(
                "--text-column", help="csv/jsonl: column with the text.", rich_help_panel="Reading files"
            ),
        ],
        None,
    ),
    (
        "speaker_column",
        Annotated[
            str | None,
            typer.Option(
                "--speaker-column",
                help="csv/jsonl: column with the speaker.",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "doc_column",
        Annotated[
            str | None,
            typer.Option(
                "--doc-column",
                help="csv/jsonl: column naming the interview (one transcript per value).",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "start_column",
        Annotated[
            str | None,
            typer.Option(
                "--start-column", help="csv/jsonl: column with start times.", rich_help_panel="Reading files"
            ),
        ],
        None,
    ),
    (
        "end_column",
        Annotated[
            str | None,
            typer.Option(
                "--end-column", help="csv/jsonl: column with end times.", rich_help_panel="Reading files"
            ),
        ],
        None,
    ),
    (
        "kind_column",
        Annotated[
            str | None,
            typer.Option(
                "--kind-column",
                help="csv/jsonl: column with the role (question/answer/interviewer/...).",
                rich_help_panel="Reading files",
            ),
        ],
        None,
    ),
    (
        "positions",
        Annotated[
            str,
            typer.Option(
                "--positions",
                help="REFI-QDA projects: how positions count. auto (per source, from the evidence, the "
                "program as tie-break) | codepoints (REFI-QDA, MAXQDA, QualCoder) | utf16 (NVivo: an "
                "emoji is two) | crlf-as-one (ATLAS.ti) | utf16-crlf-as-one.",
                rich_help_panel="Reading files",
            ),
        ],
        "auto",
    ),
    (
        "coder_from",
        Annotated[
            str,
            typer.Option(
                "--coder-from",
                help="REFI-QDA projects: a coding's coder is the user who applied the code (coding) or who "
                "made the selection (selection); the other is kept in the transcript's meta.",
                rich_help_panel="Reading files",
            ),
        ],
        "coding",
    ),
)
_NAMES = tuple(name for name, _, _ in _OPTIONS)


def reads_files(*only: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator (below ``@app.command``): add the shared file-reading options; the command gets ``reading``.

    ``only`` limits the options to those that apply (e.g. ``reads_files("max_mb")`` for a verb that reads
    only project files); none given: all of them.
    """
    unknown = set(only) - set(_NAMES)
    if unknown:
        raise ValueError(f"unknown reading options {sorted(unknown)}")
    chosen = [o for o in _OPTIONS if not only or o[0] in only]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(command, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name != "reading"]
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
            for name, annotation, default in chosen
        ]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name, _, _ in chosen}
            for name in ("interviewer", "informant"):
                if name in given:
                    given[name] = tuple(given[name] or ())
            reading = ReadOptions(**given)
            _check(reading)
            return command(*args, reading=reading, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {
            **{p.name: p.annotation for p in own},
            **{n: a for n, a, _ in chosen},
            "return": sig.return_annotation,
        }
        return wrapper

    return decorate


def _check(reading: ReadOptions) -> None:
    from ..ingest import KINDS
    from ..refi import CODER_FROM, POSITIONS

    for option, value, allowed in (
        ("--kind", reading.kind, KINDS),
        ("--positions", reading.positions, POSITIONS),
        ("--coder-from", reading.coder_from, CODER_FROM),
    ):
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}.", param_hint=option)
    if reading.max_mb <= 0:
        raise typer.BadParameter(
            f"must be positive, not {reading.max_mb:g} (e.g. --max-mb 100).", param_hint="--max-mb"
        )


def report_unread(errors: Sequence[tuple[str, str]]) -> None:
    """Print the files that could not be read (stderr) and exit with status 1; nothing when there are none.

    Call it last, after the files that could be read were processed and written: every verb that reads files
    exits 1 when it left one out, so that scripts notice.
    """
    if not errors:
        return
    typer.secho(f"{len(errors)} file(s) could not be read:", fg=typer.colors.RED, err=True)
    for path, message in errors:
        typer.secho(
            f"  {message}" if str(path) in message else f"  {path}: {message}", fg=typer.colors.RED, err=True
        )
    raise typer.Exit(1)
