"""CLI verb ``nlp review``: accept, reject and correct machine codes in the browser, decisions saved as made."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from ..codebook import Codebook
from ..errors import ConfigError
from ..model import read_jsonl
from ..refi import load_codebook
from . import app

__all__ = ["review"]


@app.command("review")
def review(
    tagged: Annotated[
        Path, typer.Argument(help="Output of `nlp tag` (.jsonl, .csv or .xlsx).", show_default=False)
    ],
    reviewer: Annotated[
        str,
        typer.Option(
            "--reviewer",
            help="Your name: the coder your decisions are saved under (for `nlp train --coder`).",
        ),
    ],
    order: Annotated[
        str,
        typer.Option(
            "--order",
            help="interview (segment by segment) or uncertainty (the "
            "`nlp suggest` order); `o` switches in the page.",
        ),
    ] = "interview",
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="The model folder that tagged the file: exact `nlp suggest` uncertainty order, and code "
            "labels from its codebook.",
        ),
    ] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook", help="Codebook (.yaml/.qdc) for code labels and the codes offered to add."
        ),
    ] = None,
    transcripts: Annotated[
        list[Path] | None,
        typer.Option(
            "--transcripts",
            help="The transcripts that were tagged (for context with the interviewer's questions; "
            "default: the sources named in the tagged file, where they still exist).",
        ),
    ] = None,
    decisions: Annotated[
        Path | None,
        typer.Option(
            "--decisions", help="Decision log (default: TAGGED.review.jsonl beside the tagged file)."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: a free one).")] = 0,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in your browser.")
    ] = True,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary", help="Print what was decided so far (accepted/rejected per code) and stop."
        ),
    ] = False,
) -> None:
    """Review machine codes in your browser: accept, reject, add codes, change polarity; every key is saved.

    The page runs on this machine only (127.0.0.1, a private link with a random token) and works offline.
    Decisions go to an append-only log beside the tagged file the moment they are made; run the same command
    again to continue where you stopped. Use them with `nlp train TAGGED.review.jsonl --coder NAME` and
    `nlp compare TAGGED.review.jsonl --unit segment` (the machine against your review).
    """
    # inside the verb, as the other verbs that need scikit-learn: `nlp --help` stays fast
    from ..classify import load_coder
    from ..review import (
        DecisionLog,
        ReviewServer,
        decisions_path,
        read_events,
        review_records,
        review_summary,
    )
    from ..segment import left_out_text

    if order not in ("interview", "uncertainty"):
        raise ConfigError(f"--order {order!r} is not interview or uncertainty.", fix="use --order interview.")
    if summary:
        records, left_out = review_records(tagged)
        result = review_summary(records, read_events(decisions or decisions_path(tagged)))
        typer.echo(
            f"{result['segments']} segments: {result['reviewed']} reviewed, {result['skipped']} skipped, "
            f"{result['left']} left"
            + (f"; not in the review, not interview content: {left_out_text(left_out)}" if left_out else "")
        )
        typer.echo(
            f"  {'code':<32}{'proposed':>9}{'accepted':>9}{'rejected':>9}{'added':>7}{'accept rate':>12}"
        )
        for code, r in result["codes"].items():
            rate = "-" if r["accept_rate"] is None else f"{r['accept_rate']:.2f}"
            typer.echo(
                f"  {code:<32}{r['proposed']:9d}{r['accepted']:9d}{r['rejected']:9d}{r['added']:7d}{rate:>12}"
            )
        return
    coder = book = None
    if model is not None:
        coder = load_coder(model)
        meta_book = (coder.meta_ or {}).get("codebook")
        if meta_book:
            book = Codebook.from_dict(meta_book)
    if codebook is not None:
        book = load_codebook(codebook)
    ts = None
    if transcripts:
        ts = [t for p in transcripts for t in read_jsonl(p)]
    log = DecisionLog(tagged, reviewer=reviewer, path=decisions)
    server = ReviewServer(log, order=order, model=coder, codebook=book, transcripts=ts, port=port)
    typer.echo(
        f"reviewing {tagged} ({len(log.records)} segments) as {log.reviewer}; decisions -> {log.path}"
        + (
            f" (not interview content, not reviewed: {left_out_text(log.not_content)})"
            if log.not_content
            else ""
        )
    )
    typer.echo(f"open {server.url}")
    typer.echo("Ctrl-C stops (every decision is already saved).", err=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    done = review_summary(log.records, log.events)
    typer.echo(
        f"stopped: {done['reviewed']} reviewed, {done['skipped']} skipped, {done['left']} left "
        f"(`nlp review {tagged} --reviewer {log.reviewer} --summary` for accepted/rejected per code).",
        err=True,
    )
