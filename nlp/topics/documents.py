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
from ..features import Analysis, analyses_of
from ..model import Unit, concept_codes

__all__ = ["DOC_UNITS", "TopicDocument", "make_documents"]

DOC_UNITS = ("segment", "turn", "window", "interview")


@dataclass(frozen=True)
class TopicDocument:
    """One document given to a topic model: the analysis units it was made of and their joined analysis.

    Where it comes from is read off its units (nothing of :class:`~nlp.model.Unit` is declared again):
    ``transcript_id``, ``source`` and ``start`` of the first unit, ``end`` of the last, ``group`` and ``lang`` the most
    common, ``speaker`` when all units share it, ``codes`` each coder's union of the units' codes.
    """

    id: str
    units: tuple[Unit, ...]
    analysis: Analysis = field(compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def transcript_id(self) -> str:
        return self.units[0].transcript_id

    @property
    def group(self) -> str:
        return _most_common([u.group for u in self.units]) or self.units[0].group

    @property
    def speaker(self) -> str | None:
        return _uniform([u.speaker for u in self.units])

    @property
    def lang(self) -> str | None:
        return _most_common([u.lang for u in self.units])

    @property
    def source(self) -> str | None:
        return self.units[0].source

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(u.id for u in self.units)

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end

    @property
    def codes(self) -> dict[str, frozenset[str]]:
        merged: dict[str, set[str]] = {}
        for u in self.units:
            for coder, cs in u.codes.items():
                merged.setdefault(coder, set()).update(cs)
        return {k: frozenset(v) for k, v in sorted(merged.items())}

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


def _join(units: Sequence[Unit], analyses: Mapping[int, Analysis], doc_id: str) -> TopicDocument:
    return TopicDocument(
        id=doc_id, units=tuple(units), analysis=Analysis.join([analyses[id(u)] for u in units])
    )


def make_documents(units: Iterable[Unit], *, unit: str, window_size: int = 3) -> list[TopicDocument]:
    """Group analysis units into topic-model documents.

    Parameters
    ----------
    units
        Analysis units in text order, e.g. ``corpus.units()`` (each with its analysis in context) or
        ``list(iter_units(transcripts))`` (then each unit's text is analysed in its language).
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
        raise ConfigError(
            f"window size must be at least 1, got {window_size}.", fix="pass --window-size 3 or so."
        )
    units = list(units)
    analyses = {id(u): a for u, a in zip(units, analyses_of(units))}
    by_transcript: dict[str, list[Unit]] = {}
    for u in units:
        by_transcript.setdefault(u.transcript_id, []).append(u)
    docs: list[TopicDocument] = []
    for tid, us in by_transcript.items():
        if unit == "segment":
            docs.extend(_join([u], analyses, u.id) for u in us)
        elif unit == "interview":
            docs.append(_join(us, analyses, tid))
        elif unit == "window":
            for i in range(0, len(us), window_size):
                chunk = us[i : i + window_size]
                docs.append(_join(chunk, analyses, f"{tid}:w{i // window_size}"))
        else:  # turn
            run: list[Unit] = []
            for u in us:
                if run and (u.speaker is None or u.speaker != run[-1].speaker):
                    docs.append(
                        _join(run, analyses, run[0].id if len(run) == 1 else f"{run[0].id}+{len(run) - 1}")
                    )
                    run = []
                run.append(u)
            if run:
                docs.append(
                    _join(run, analyses, run[0].id if len(run) == 1 else f"{run[0].id}+{len(run) - 1}")
                )
    return docs
