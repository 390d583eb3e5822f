"""One call from analysis units to a fitted, summarised topic model: what `nlp topics` and the study run."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..codebook import Codebook
from ..errors import ConfigError, InputError
from ..features import Analysis
from ..model import Unit
from ..segment import left_out_text, split_not_content
from . import models
from .documents import make_documents
from .guided import codebook_seed_topics
from .models import LdaTopics, NmfTopics
from .quality import SweepResult, parse_k_range, sweep_topics
from .summary import TopicSummary, summarize_topics

__all__ = ["TopicRun", "run_topics"]


@dataclass(frozen=True)
class TopicRun:
    """A fitted topic model with its summary, the K sweep (if one was run) and notes for the user;
    ``not_content`` counts the units left out as not interview content, per reason
    (:func:`nlp.segment.split_not_content`)."""

    estimator: Any
    summary: TopicSummary
    sweep: SweepResult | None
    k: int
    stability: float | None
    has_codes: bool
    notes: tuple[str, ...] = ()
    not_content: dict[str, int] = field(default_factory=dict)


def run_topics(
    units: Sequence[Unit],
    *,
    codebook: Codebook | None = None,
    model: str = "lda",
    k: int | None = None,
    k_range: str | None = None,
    unit: str = "segment",
    window_size: int = 3,
    seeds: int = 3,
    guided: bool = False,
    seed_strength: float = 10.0,
    coder: str = "coder1",
    random_state: int = 0,
    passes: int = 20,
    min_df: int = 2,
    max_df: float = 0.5,
    words: int = 10,
    excerpts: int = 5,
    analyzer: str | Callable[[Analysis], list[str]] | None = None,
    include_not_content: bool | Collection[str] = False,
    progress: Callable[[str], None] = lambda message: None,
    fit_progress: Callable[[int, int], None] | None = None,
) -> TopicRun:
    """Build documents from ``units``, choose K (``k`` or a sweep over ``k_range``), fit and summarise.

    Units that are not interview content (:func:`nlp.segment.not_content_reason`: interviewer turns, one- or
    two-word turns, contact details, headers) are left out before the documents are made, unless
    ``include_not_content`` (``True``, or the reasons to keep, e.g. ``{"interviewer turn"}``); the counts per
    reason are in ``TopicRun.not_content`` and under ``"not_content"`` in the summary (``topics.json``, ``topics.md``).

    The number of topics is a scientific choice with no default: give ``k``, ``k_range`` or ``guided`` (one topic
    per code). ``seeds`` > 1 measures stability across that many seeds (``random_state``, +1, ...). ``progress``
    gets a message per step; ``fit_progress(done, total)`` is called after each model fitted in the sweep.
    """
    if model not in ("lda", "nmf"):
        raise ConfigError(f"unknown model {model!r}.", fix="use model lda or nmf.")
    if k is not None and k_range is not None:
        raise ConfigError("give k or k_range, not both.")
    if guided and model != "lda":
        raise ConfigError("guided topics need the lda model.")
    if seeds < 1:
        raise ConfigError(f"seeds must be at least 1, got {seeds}.")
    units, left_out = split_not_content(units, keep=include_not_content)
    docs = make_documents(units, unit=unit, window_size=window_size)
    if not docs:
        raise InputError(
            "the inputs contain no segments to model"
            + (f": {left_out_text(left_out)} left out as not interview content." if left_out else "."),
            fix="check that the transcripts have segments (run `nlp ingest`)"
            + (", or pass --include-not-content." if left_out else "."),
        )
    params: dict[str, Any] = {
        "min_df": min_df,
        "max_df": max_df,
        "random_state": random_state,
        "analyzer": analyzer if analyzer is not None else models.default_analyzer(),
    }
    est: Any = LdaTopics(passes=passes, **params) if model == "lda" else NmfTopics(**params)
    notes: list[str] = []
    if guided:
        if codebook is None:
            raise ConfigError(
                "guided topics need a codebook.", fix="pass a codebook or use a bundled corpus."
            )
        labels = [d.concepts(coder) for d in docs]
        learn = any(labels)
        if not learn:
            notes.append(f"no codes of coder {coder!r} found: seeds come from the codebook alone.")
        seed_topics = codebook_seed_topics(
            codebook,
            analyzer=est.build_vectorizer().terms,
            documents=docs if learn else None,
            labels=labels if learn else None,
        )
        est.set_params(seed_topics=seed_topics, seed_strength=seed_strength)
        if k is None and k_range is None:
            k = len(seed_topics)
    if k is None and k_range is None:
        raise ConfigError(
            "the number of topics is not given.",
            fix="pass --k N, or --k-range 4:16:2 to compare K values and fit the recommended one.",
        )
    seed_list = [random_state + i for i in range(seeds)]
    sweep = None
    stability = None
    if k_range is not None:
        ks = parse_k_range(k_range)
        if guided and min(ks) < len(est.seed_topics):
            raise ConfigError(
                f"guided topics make {len(est.seed_topics)} seed topics; the K range starts at {min(ks)}.",
                fix=f"start the range at {len(est.seed_topics)} or more.",
            )
        progress(f"sweeping K in {ks} with seeds {seed_list} on {len(docs)} documents")
        sweep = sweep_topics(docs, estimator=est, k_values=ks, seeds=seed_list, progress=fit_progress)
        k = sweep.recommended_k
        stability = next(r["stability"] for r in sweep.rows if r["k"] == k)
    elif seeds > 1:
        stability = sweep_topics(
            docs, estimator=est, k_values=[k], seeds=seed_list, progress=fit_progress
        ).rows[0]["stability"]
    est.set_params(n_topics=k)
    est.fit(docs)
    names = {c.id: c.name for c in codebook} if codebook is not None else None
    has_codes = any(coder in d.codes for d in docs)
    summary = summarize_topics(
        est,
        docs,
        coder=coder if has_codes else None,
        n_words=words,
        n_excerpts=excerpts,
        code_names=names,
        stability=stability,
    )
    summary.extra["not_content"] = {
        "left_out": dict(left_out),
        "kept": sorted(include_not_content)
        if isinstance(include_not_content, Collection)
        else include_not_content,
    }
    if not has_codes:
        notes.append(f"no codes of coder {coder!r}: the topic x code table was skipped")
    return TopicRun(
        estimator=est,
        summary=summary,
        sweep=sweep,
        k=int(k),
        stability=stability,
        has_codes=has_codes,
        notes=tuple(notes),
        not_content=dict(left_out),
    )
