"""Machine coding as code spans, so it can be compared with people's coding like any other coder.

:func:`machine_coding` puts predictions (the study's cross-validated ones) on their units. The records ``nlp tag``
writes become coding in :func:`nlp.review.machine.attach_machine_codes` (it needs :mod:`nlp.classify`, which
imports this package, so it cannot live here without an import cycle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InputError
from ..model import POLARITY_PREFIX, CodeSpan, Transcript, Unit

__all__ = ["machine_coding"]


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
    >>> from nlp.model import Segment, iter_units
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
