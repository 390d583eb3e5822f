"""CLI verb ``nlp preprocess``: language, tokens, lemmas and filler flags per segment, with a summary table."""

from __future__ import annotations

from pathlib import Path

import typer

from ..lang import LANGS
from ..model import write_jsonl
from ..normalise.preprocess import PreprocessStats, preprocess_transcripts
from . import app
from .inputs import read_inputs
from .reading import ReadOptions, reads_files, report_unread

__all__ = ["preprocess"]


@app.command("preprocess")
@reads_files()
def preprocess(
    input: Path | None = typer.Argument(  # noqa: B008
        None,
        help="A JSONL corpus written by `nlp ingest`, or transcript files/"
        "folders to ingest first (any kind `nlp ingest` reads).",
        show_default=False,
    ),
    corpus: str | None = typer.Option(
        None, "--corpus", help="A bundled corpus by name (e.g. klynger) or a coded JSONL, instead of INPUT."
    ),
    out: Path = typer.Option(  # noqa: B008
        ...,
        "--out",
        "-o",
        help="Output JSONL: the transcripts with lang set per transcript "
        "and segment, and segment.meta['preprocess'] = tokens "
        "(offsets), lemmas and flags (written atomically).",
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Force one language (nb|nn|da|sv|en) instead of identifying it per transcript and turn.",
    ),
    harmonise: bool = typer.Option(
        False, "--harmonise", help="Map frequent nynorsk lemmas to bokmål ones (verksemd -> virksomhet)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Preprocess on a Dask cluster of N local processes (needs the optional dask extra).",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Preprocess on a running Dask cluster, tcp://HOST:PORT (same output, byte for byte).",
    ),
    *,
    reading: ReadOptions,
) -> None:
    """Identify languages and write tokens, lemmas and filler/stop-word flags for every segment.

    The language is set per transcript (all its turns together) and per turn (a turn keeps the transcript's language
    unless its own evidence is clear). Tokens are stored as offsets into the transcript text; flags use one letter
    per token: w content, s stop word, f filler, c cut-off, b backchannel, d discourse marker, p punctuation,
    n number, x placeholder, a abbreviation, u URL. Prints per language: transcripts, segments, tokens, distinct
    content lemmas, fillers removed and stop words. Files that cannot be read are listed at the end and the exit
    status is 1.
    """
    source = read_inputs(
        corpus,
        [input] if input is not None else [],
        example="nlp preprocess corpus.jsonl --out pre.jsonl",
        options=reading.kwargs(),
    )
    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}.")
    transcripts, errors = source.transcripts, source.errors
    stats = PreprocessStats()
    if workers is not None or scheduler is not None:
        from ..distributed import preprocess_distributed

        done = preprocess_distributed(
            transcripts, scheduler=scheduler, workers=workers, stats=stats, lang=lang, harmonise=harmonise
        )
    else:
        done = preprocess_transcripts(transcripts, lang=lang, harmonise=harmonise, stats=stats)
    n = write_jsonl(out, done)

    header = (
        f"{'lang':<5} {'transcripts':>11} {'segments':>9} {'tokens':>9} {'lemmas':>8} {'fillers':>8} "
        f"{'stop words':>10}"
    )
    typer.echo(header)
    typer.echo("-" * len(header))
    rows = stats.rows()
    for r in rows:
        typer.echo(
            f"{r['lang']:<5} {r['transcripts']:>11} {r['segments']:>9} {r['tokens']:>9} {r['lemmas']:>8} "
            f"{r['fillers']:>8} {r['stop_words']:>10}"
        )
    typer.echo(
        f"{n} transcript(s) -> {out}; {sum(r['tokens'] for r in rows)} tokens, "
        f"{sum(r['fillers'] for r in rows)} fillers/backchannels/cut-offs flagged."
    )
    report_unread(errors)
