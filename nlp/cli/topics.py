"""CLI verb `nlp topics`: fit, sweep and summarise topic models of interview units."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..features import transcript_units
from ..refi import load_codebook
from ..segment import left_out_text
from . import app
from .inputs import read_inputs
from .progress import TerminalProgress
from .reading import ReadOptions, reads_files, report_unread


@app.command("topics")
@reads_files()
def topics_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for the tables, topics.md and plots.")],
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Ingested transcripts (.jsonl from `nlp ingest`) or folders.", show_default=False
        ),
    ] = None,
    corpus: Annotated[
        str | None, typer.Option("--corpus", help="A bundled corpus instead of INPUT, e.g. klynger.")
    ] = None,
    model: Annotated[str, typer.Option("--model", help="lda (gensim LDA) or nmf (NMF on TF-IDF).")] = "lda",
    k: Annotated[int | None, typer.Option("--k", help="Number of topics.")] = None,
    k_range: Annotated[
        str | None, typer.Option("--k-range", help="Sweep K, e.g. 4:16:2 or 4,8,12; fits the recommended K.")
    ] = None,
    unit: Annotated[
        str, typer.Option("--unit", help="Document unit: segment, turn, window or interview.")
    ] = "segment",
    window_size: Annotated[
        int, typer.Option("--window-size", help="Segments per window for --unit window.")
    ] = 3,
    seeds: Annotated[
        int, typer.Option("--seeds", help="Random seeds (random-state, +1, ...) for the stability score.")
    ] = 3,
    guided: Annotated[
        bool, typer.Option("--guided", help="Seed topics from the codebook and the manual coding (LDA).")
    ] = False,
    seed_strength: Annotated[
        float,
        typer.Option(
            "--seed-strength",
            help="Prior weight of the seed words with --guided (higher: closer to the codes).",
        ),
    ] = 10.0,
    codebook: Annotated[
        Path | None, typer.Option("--codebook", help="Codebook (.yaml/.qdc/.qdpx) for --guided and labels.")
    ] = None,
    coder: Annotated[
        str, typer.Option("--coder", help="Whose manual codes to compare topics with and learn from.")
    ] = "coder1",
    random_state: Annotated[
        int, typer.Option("--random-state", help="Seed: same input and seed, same output.")
    ] = 0,
    passes: Annotated[int, typer.Option("--passes", help="LDA passes over the corpus.")] = 20,
    min_df: Annotated[int, typer.Option("--min-df", help="Keep words in at least this many documents.")] = 2,
    max_df: Annotated[
        float, typer.Option("--max-df", help="Drop words in more than this share of documents.")
    ] = 0.5,
    words: Annotated[int, typer.Option("--words", help="Top words per topic in the summary.")] = 10,
    excerpts: Annotated[
        int, typer.Option("--excerpts", help="Representative excerpts per topic (3-5 is readable).")
    ] = 5,
    include_interviewer: Annotated[
        bool,
        typer.Option(
            "--include-interviewer",
            help="Also model the interviewer's turns (the other non-content segments stay out).",
        ),
    ] = False,
    include_not_content: Annotated[
        bool,
        typer.Option(
            "--include-not-content",
            help="Also model interviewer turns, one- or two-word turns, contact details and headers (left out "
            "by default; the counts are printed and in topics.json/topics.md).",
        ),
    ] = False,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write PNG plots.")] = True,
    *,
    reading: ReadOptions,
) -> None:
    """Topic models of interview units: choose K, read the topics, compare them with the manual codes.

    Writes topics.json, CSV tables, topics.md and plots into --out. Example:
    nlp topics --corpus klynger --k-range 4:14:2 --out out/topics

    Input files that cannot be read are listed at the end and the exit status is 1 (the others are modelled).
    """
    from ..topics import run_topics, write_topic_outputs

    source = read_inputs(
        corpus,
        inputs or [],
        example="nlp topics --corpus klynger --k 8 --out out/topics",
        options=reading.kwargs(),
    )
    transcripts = list(source.transcripts)
    if not transcripts:
        report_unread(source.errors)
        raise InputError(
            "no transcripts could be read from the inputs.",
            fix="pass .jsonl files written by `nlp ingest` (or files it can read).",
        )
    units = transcript_units(transcripts, include_interviewer=True)  # analysed in context; run_topics filters
    cb = source.codebook
    if codebook is not None:
        cb = load_codebook(codebook)
    with TerminalProgress("fitting topic models", unit="model") as bar:
        run = run_topics(
            units,
            codebook=cb,
            model=model,
            k=k,
            k_range=k_range,
            unit=unit,
            window_size=window_size,
            seeds=seeds,
            guided=guided,
            seed_strength=seed_strength,
            coder=coder,
            random_state=random_state,
            passes=passes,
            min_df=min_df,
            max_df=max_df,
            words=words,
            excerpts=excerpts,
            include_not_content=include_not_content
            or ({"interviewer turn"} if include_interviewer else False),
            progress=lambda m: typer.echo(m[0].upper() + m[1:] + " ..."),
            fit_progress=bar,
        )
    typer.echo(
        f"left out, not interview content (--include-not-content keeps them): {left_out_text(run.not_content)}"
    )
    for note in run.notes:
        typer.secho(note, err=True, fg=typer.colors.YELLOW)
    summary, sweep, stability, k = run.summary, run.sweep, run.stability, run.k
    written = write_topic_outputs(summary, out, sweep=sweep, plots=plots)

    if sweep is not None:
        typer.echo("   K  c_npmi    c_v  stability  diversity")
        for r in sweep.table():
            st = "   -   " if r["stability"] is None else f"{r['stability']:.3f}"
            mark = "  <- recommended" if r["k"] == sweep.recommended_k else ""
            typer.echo(
                f"{r['k']:>4}  {r['c_npmi']:6.3f}  {r['c_v']:5.3f}  {st:>9}  {r['diversity']:9.3f}{mark}"
            )
    q = summary.quality
    typer.echo(
        f"{summary.model['type']} K={k}: {summary.n_documents} documents ({summary.n_empty_documents} without "
        f"vocabulary words), c_npmi {q['c_npmi']:.3f}, c_v {q['c_v']:.3f}, diversity {q['diversity']:.3f}"
        + ("" if stability is None else f", stability {stability:.3f}")
        + ("" if summary.codes.get("nmi") is None else f", NMI vs {coder} {summary.codes['nmi']:.3f}")
    )
    for t in summary.topics:
        typer.echo(f"  {t['id']:>2}  {t['prevalence']:.3f}  {t['label']}")
    typer.echo(f"Wrote {len(written)} files to {out}")
    report_unread(source.errors)
