"""Machine coding as code spans, so it can be compared with people's coding like any other coder.

:func:`machine_coding` puts predictions (the study's cross-validated ones) on their units; :func:`tagged_coding`
does the same for the records ``nlp tag`` writes, matched to the segments of the transcripts that were tagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..errors import InputError
from ..model import POLARITY_PREFIX, CodeSpan, Transcript, Unit, iter_units

__all__ = ["is_tagged_record", "machine_coding", "tagged_coding"]


def machine_coding(
    transcripts: Sequence[Transcript],
    units: Sequence[Unit],
    predictions: Sequence[Mapping[str, Any]],
    *,
    coder: str,
) -> list[Transcript]:
    """The transcripts with the machine's codes added as ``auto`` spans of ``coder`` over each unit.

    ``predictions[i]`` (``{"codes": [...], "polarity": ...}``) belongs to ``units[i]``; units are matched to their
    transcript by id, so the spans land on the exact characters of the unit.

    Examples
    --------
    >>> from nlp.model import Segment
    >>> t = Transcript(id="t", text="Vi deler alt.", segments=(Segment(0, 13, id="s"),))
    >>> [(c.code, c.start, c.end, c.source) for c in machine_coding([t], list(iter_units([t])),
    ...                                                                 [{"codes": ["ks"], "polarity": "driver"}],
    ...                                                                 coder="m")[0].codes]
    [('ks', 0, 13, 'auto'), ('polarity:driver', 0, 13, 'auto')]
    """
    if len(units) != len(predictions):
        raise InputError(f"{len(predictions)} predictions for {len(units)} units.")
    spans: dict[str, list[CodeSpan]] = {}
    for u, p in zip(units, predictions):
        codes = [
            *sorted(p.get("codes") or ()),
            *([POLARITY_PREFIX + p["polarity"]] if p.get("polarity") else []),
        ]
        spans.setdefault(u.transcript_id, []).extend(
            CodeSpan(code=c, start=u.start, end=u.end, coder=coder, source="auto") for c in codes
        )
    return [t.with_codes(spans.get(t.id, ())) for t in transcripts]


def is_tagged_record(obj: Any) -> bool:
    """Whether a JSON object is a record of ``nlp tag`` (codes as a list of names, probabilities in ``scores``)."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("codes"), list)
        and isinstance(obj.get("scores"), dict)
        and "start" in obj
        and "end" in obj
    )


def tagged_coding(
    transcripts: Sequence[Transcript],
    records: Iterable[Mapping[str, Any]],
    *,
    coder: str,
    path: str | None = None,
) -> list[Transcript]:
    """The transcripts carrying only the codes of ``nlp tag`` records, as ``auto`` spans of ``coder``.

    A record belongs to the segment with the same ``source``, ``start`` and ``end`` (what ``nlp tag`` writes for
    each segment of the transcripts it read).

    Raises
    ------
    InputError
        A record matches no segment (the records come from other texts); ``path`` is named in the message.
    """
    by_place = {(u.source, u.start, u.end): u for u in iter_units(transcripts, include_interviewer=True)}
    units, predictions = [], []
    for r in records:
        unit = by_place.get((r.get("source"), r.get("start"), r.get("end")))
        if unit is None:
            raise InputError(
                f"tagged segment {r.get('id')!r} ({r.get('source')}, {r.get('start')}..{r.get('end')}) "
                "is not a segment of the texts compared with.",
                path=path,
                fix="tag the same transcripts, e.g. `nlp tag MODEL corpora/klynger/transcripts.jsonl "
                "--out tagged.jsonl` for --corpus klynger.",
            )
        units.append(unit)
        predictions.append(r)
    return machine_coding([replace(t, codes=()) for t in transcripts], units, predictions, coder=coder)
