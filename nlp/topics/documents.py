"""Documents for topic models: analysis units (segments) grouped into turns, windows or whole interviews.

The unit of analysis is a scientific choice, so :func:`make_documents` has no default for it. For short interview
units (coded excerpts, single answers) ``segment`` is the usual choice; ``turn`` merges consecutive segments of one
speaker, ``window`` joins a fixed number of consecutive segments, and ``interview`` makes one document per transcript
(only useful with many transcripts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..model import Unit, concept_codes

__all__ = ["DOC_UNITS", "TopicDocument", "make_documents"]

DOC_UNITS = ("segment", "turn", "window", "interview")


@dataclass(frozen=True)
class TopicDocument:
    """One document given to a topic model, with where it comes from.

    ``unit_ids`` lists the analysis units (segments) it was made of; ``codes`` maps each coder to the union of the
    codes of those units. ``start``/``end`` are offsets into the transcript text of the first and last unit.
    """

    id: str
    text: str
    transcript_id: str
    group: str
    speaker: str | None = None
    lang: str | None = None
    source: str | None = None
    unit_ids: tuple[str, ...] = ()
    start: int = 0
    end: int = 0
    codes: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)

    def concepts(self, coder: str) -> frozenset[str]:
        """Theory-concept codes ``coder`` gave any unit of this document (polarity excluded)."""
        return concept_codes(self.codes.get(coder, ()))


def _uniform(values: Sequence[str | None]) -> str | None:
    first = values[0]
    return first if all(v == first for v in values) else None


def _most_common(values: Sequence[str | None]) -> str | None:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(v for v in values if v is not None and counts[v] == best)  # first in text order wins a tie


def _join(units: Sequence[Unit], doc_id: str) -> TopicDocument:
    codes: dict[str, set[str]] = {}
    for u in units:
        for coder, cs in u.codes.items():
            codes.setdefault(coder, set()).update(cs)
    return TopicDocument(
        id=doc_id, text="\n".join(u.text for u in units), transcript_id=units[0].transcript_id,
        group=_most_common([u.group for u in units]) or units[0].group,
        speaker=_uniform([u.speaker for u in units]), lang=_most_common([u.lang for u in units]),
        source=units[0].source, unit_ids=tuple(u.id for u in units), start=units[0].start, end=units[-1].end,
        codes={k: frozenset(v) for k, v in sorted(codes.items())},
    )


def make_documents(units: Iterable[Unit], *, unit: str, window_size: int = 3) -> list[TopicDocument]:
    """Group analysis units into topic-model documents.

    Parameters
    ----------
    units
        Analysis units in text order, e.g. ``list(iter_units(transcripts))`` or ``corpus.units()``.
    unit
        ``segment`` (one document per unit), ``turn`` (consecutive units of one speaker within a transcript;
        units without a speaker stay alone), ``window`` (``window_size`` consecutive units of a transcript,
        not overlapping) or ``interview`` (one document per transcript).
    window_size
        Units per window for ``unit="window"``.

    Returns
    -------
    list of TopicDocument
        In the order of the units; transcripts in order of first appearance.

    Examples
    --------
    >>> from nlp.model import Unit
    >>> us = [Unit(id=f"u{i}", transcript_id="t", text=w, start=i, end=i + 1, group="g", speaker=s)
    ...       for i, (w, s) in enumerate([("ja", "A"), ("nei", "A"), ("kanskje", "B")])]
    >>> [d.text for d in make_documents(us, unit="turn")]
    ['ja\\nnei', 'kanskje']
    """
    if unit not in DOC_UNITS:
        raise ConfigError(f"unknown document unit {unit!r}.", fix=f"use one of {', '.join(DOC_UNITS)}.")
    if unit == "window" and window_size < 1:
        raise ConfigError(f"window size must be at least 1, got {window_size}.", fix="pass --window-size 3 or so.")
    by_transcript: dict[str, list[Unit]] = {}
    for u in units:
        by_transcript.setdefault(u.transcript_id, []).append(u)
    docs: list[TopicDocument] = []
    for tid, us in by_transcript.items():
        if unit == "segment":
            docs.extend(_join([u], u.id) for u in us)
        elif unit == "interview":
            docs.append(_join(us, tid))
        elif unit == "window":
            for i in range(0, len(us), window_size):
                chunk = us[i:i + window_size]
                docs.append(_join(chunk, f"{tid}:w{i // window_size}"))
        else:  # turn
            run: list[Unit] = []
            for u in us:
                if run and (u.speaker is None or u.speaker != run[-1].speaker):
                    docs.append(_join(run, run[0].id if len(run) == 1 else f"{run[0].id}+{len(run) - 1}"))
                    run = []
                run.append(u)
            if run:
                docs.append(_join(run, run[0].id if len(run) == 1 else f"{run[0].id}+{len(run) - 1}"))
    return docs
