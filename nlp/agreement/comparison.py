"""Validation of coding: project code spans onto units, compare coders, bootstrap over interviews.

The unit of analysis is an explicit choice (``unit=`` has no default): ``"segment"`` (one unit per speaker turn or
excerpt, as :func:`nlp.model.iter_units` makes them), ``"sentence"`` (segments split into sentences) or
``"character"`` (every character of every source, per code x source, as NVivo's coding comparison does).

Confidence intervals are percentile bootstrap intervals over *groups* (interviews/informants, ``Unit.group``), not
over units: units of one interview are not independent. Everything is computed from per-group contingency tables,
so a replicate is a weighted sum of tables.

Rendering (methods paragraph, tables, the disagreement file) lives in :mod:`nlp.agreement.render`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from ..errors import ConfigError, InputError
from ..model import POLARITY_PREFIX, Segment, Transcript, Unit, iter_units
from ..normalise import identify_language, split_sentences
from .characters import compare_characters
from .coefficients import fleiss_kappa_table, krippendorff_alpha_nominal
from .tables import (
    COEFFICIENTS,
    Comparison,
    Stat,
    boot_weights,
    paradox_warnings,
    per_code_rows,
    prf_stats,
    stats_from_tables,
)

__all__ = ["COEFFICIENTS", "UNITS", "Comparison", "Stat", "compare", "merge_codings", "project_units"]

UNITS = ("segment", "sentence", "character")
_WORD = re.compile(r"\w+")


def merge_codings(reference: Sequence[Transcript], others: Mapping[str, Sequence[Transcript]], *,
                  reference_name: str | None, paths: Mapping[str, str] | None = None) -> list[Transcript]:
    """Put several codings of the same texts into one list of transcripts, one coder name per coding.

    Every code of a coding is relabelled with that coding's name (the reference's codes keep their coders when
    ``reference_name`` is None, e.g. a corpus with two coders). The texts must be the same (same transcript ids,
    identical text); segments are taken from ``reference``.

    Examples
    --------
    >>> from nlp.model import CodeSpan
    >>> t = Transcript("i1", "Vi deler alt.", segments=(Segment(0, 13),))
    >>> a = t.with_codes([CodeSpan("tillit", 0, 13, "x")])
    >>> b = t.with_codes([CodeSpan("nettverk", 0, 13, "y")])
    >>> sorted(c.coder for c in merge_codings([a], {"B": [b]}, reference_name="A")[0].codes)
    ['A', 'B']
    """
    paths = dict(paths or {})
    ref = {t.id: t for t in reference}
    merged = {tid: t if reference_name is None else replace(t, codes=tuple(replace(c, coder=reference_name)
                                                                            for c in t.codes))
              for tid, t in ref.items()}
    for name, coding in others.items():
        where = paths.get(name, name)
        got = {t.id: t for t in coding}
        missing, extra = sorted(set(ref) - set(got)), sorted(set(got) - set(ref))
        if missing or extra:
            raise InputError(f"{where} does not code the same texts as {paths.get(reference_name or '', 'the reference')}"
                             f": missing {missing[:5]}, extra {extra[:5]}.",
                             fix="compare codings of the same transcripts (same ids).")
        for tid, t in got.items():
            if t.text != ref[tid].text:
                i = next((k for k, (x, y) in enumerate(zip(t.text, ref[tid].text)) if x != y),
                         min(len(t.text), len(ref[tid].text)))
                raise InputError(f"{where}: transcript {tid!r} has a different text from the reference (first "
                                 f"difference at character {i}), so code offsets cannot be compared.",
                                 fix="code the same ingested text; re-export both codings from one project.")
            merged[tid] = merged[tid].with_codes(replace(c, coder=name) for c in t.codes)
    return list(merged.values())


def _default_splitter(text: str, lang: str | None) -> list[tuple[int, int]]:
    return list(split_sentences(text, lang or identify_language(text)))


def project_units(transcripts: Sequence[Transcript], *, unit: str, include_interviewer: bool = False,
                  sentence_splitter: Callable[[str, str | None], list[tuple[int, int]]] | None = None
                  ) -> list[Unit]:
    """Project code spans onto units: one :class:`~nlp.model.Unit` per segment or per sentence.

    A code applies to a unit when it overlaps it by at least half of the shorter of the two
    (:meth:`~nlp.model.Transcript.codes_in`). A transcript without segments is one segment.

    Parameters
    ----------
    transcripts
        Coded transcripts (codes of every coder).
    unit
        ``"segment"`` or ``"sentence"`` (characters are compared by :func:`compare` directly).
    include_interviewer
        Keep the interviewer's turns.
    sentence_splitter
        ``(text, lang) -> [(start, end), ...]``; default :func:`nlp.normalise.split_sentences`.

    Examples
    --------
    >>> from nlp.model import CodeSpan
    >>> t = Transcript("i1", "Vi deler. De deler ikke.", segments=(Segment(0, 24, id="s1"),),
    ...                codes=(CodeSpan("tillit", 0, 9, "A"),))
    >>> split = lambda text, lang: [(0, 9), (10, 24)]
    >>> [(u.text, sorted(u.concepts("A"))) for u in project_units([t], unit="sentence", sentence_splitter=split)]
    [('Vi deler.', ['tillit']), ('De deler ikke.', [])]
    """
    if unit not in ("segment", "sentence"):
        raise ConfigError(f"unit {unit!r} is not segment or sentence.")
    out: list[Unit] = []
    for t in transcripts:
        segs = t.analysis_segments(include_interviewer=include_interviewer) or (Segment(0, len(t.text)),)
        if unit == "sentence":
            split = sentence_splitter or _default_splitter
            sents = []
            for s in segs:
                for a, b in split(t.text[s.start:s.end], s.lang or t.lang):
                    if b > a:
                        sents.append(replace(s, start=s.start + a, end=s.start + b,
                                             id=f"{s.id or t.id}#{s.start + a}-{s.start + b}",
                                             meta={**s.meta, "group": s.meta.get("group") or t.meta.get("group")}))
            segs = tuple(sents)
        out.extend(iter_units([replace(t, segments=segs)], include_interviewer=True))
    return out


def _check_coders(codes_by_coder: Mapping[str, set], coders: Sequence[str], codebook) -> None:
    for c in coders:
        if c not in codes_by_coder:
            raise InputError(f"coder {c!r} has no codes in these texts (coders found: "
                             f"{sorted(codes_by_coder) or 'none'}).", fix="name a coder that coded these texts.")
        if codebook is not None:
            codebook.check_codes(codes_by_coder[c], where=f"coder {c!r}")


def compare(transcripts: Sequence[Transcript], *, unit: str, reference: str, others: Sequence[str],
            codebook=None, include_interviewer: bool = False, min_words: int | None = None,
            confidence: float = 0.95, n_boot: int = 1000, random_state: int = 0, context: int = 160,
            sentence_splitter: Callable[[str, str | None], list[tuple[int, int]]] | None = None) -> Comparison:
    """Compare OTHER coders with REFERENCE on the same texts: coefficients with bootstrap CIs, per code, polarity.

    Parameters
    ----------
    transcripts
        The texts, with every coder's codes (see :func:`merge_codings`).
    unit
        ``"segment"``, ``"sentence"`` or ``"character"``: a scientific choice, so there is no default.
    reference, others
        Coder names. With more than two coders Fleiss' kappa and Krippendorff's alpha over all are added.
    codebook
        If given, unknown codes raise :class:`~nlp.errors.InputError`; its polarity values fix the categories.
    min_words
        Leave out units with fewer words (short fragments), reporting how many (segment/sentence only).
    confidence, n_boot, random_state
        Bootstrap over groups (interviews): level, replicates, seed.
    context
        Characters of context on each side in the disagreement list.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from nlp.model import CodeSpan
    >>> text = "Vi deler alt. Vi konkurrerer."
    >>> codes = (CodeSpan("polarity:driver", 0, 13, "A"), CodeSpan("polarity:driver", 0, 13, "B"),
    ...          CodeSpan("polarity:barrier", 14, 29, "A"), CodeSpan("polarity:driver", 14, 29, "B"))
    >>> t = Transcript("i1", text, segments=(Segment(0, 13), Segment(14, 29)), codes=codes)
    >>> r = compare([t], unit="segment", reference="A", others=["B"], n_boot=0)
    >>> r.get("polarity", "percent_agreement").value, r.confusion["B"]
    (0.5, {'labels': ['barrier', 'driver'], 'matrix': [[0, 1], [0, 1]]})
    >>> r.get("polarity", "cohen_kappa").value
    0.0
    """
    if unit not in UNITS:
        raise ConfigError(f"unit {unit!r} is not one of {', '.join(UNITS)}.", fix="choose --unit explicitly.")
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence {confidence} is not between 0 and 1.", fix="use e.g. 0.95.")
    others = [o for o in others if o != reference]
    if not others:
        raise ConfigError("nothing to compare: give at least one OTHER coder besides the reference.")
    by_coder: dict[str, set] = {}
    for t in transcripts:
        for c in t.codes:
            by_coder.setdefault(c.coder, set()).add(c.code)
    _check_coders(by_coder, [reference, *others], codebook)
    if unit == "character":
        return compare_characters(transcripts, reference=reference, others=others, by_coder=by_coder,
                                  confidence=confidence, n_boot=n_boot, random_state=random_state, context=context)
    units = project_units(transcripts, unit=unit, include_interviewer=include_interviewer,
                          sentence_splitter=sentence_splitter)
    result = Comparison(unit, reference, tuple(others), 0, 0, len(transcripts), confidence, n_boot, random_state)
    if min_words:
        short = [u for u in units if len(_WORD.findall(u.text)) < min_words]
        units = [u for u in units if len(_WORD.findall(u.text)) >= min_words]
        result.excluded[f"units with fewer than {min_words} words"] = len(short)
    if not units:
        raise InputError("there are no units to compare.", fix="check the segments, or lower --min-words.")
    groups = sorted({u.group for u in units})
    gidx = {g: i for i, g in enumerate(groups)}
    result.n_units, result.n_groups = len(units), len(groups)
    weights = boot_weights(len(groups), n_boot, random_state) if len(groups) >= 2 and n_boot else None
    if weights is None:
        result.warnings.append("Only one group (interview): no bootstrap confidence interval is possible.")
    elif len(groups) < 10:
        result.warnings.append(f"Only {len(groups)} groups (interviews): bootstrap intervals over so few groups "
                               f"are rough.")
    concepts = sorted({c for u in units for k in (reference, *others) for c in u.concepts(k)})
    pol = list(codebook.polarity) if codebook is not None else sorted(
        {p for u in units for k in (reference, *others) if (p := u.polarity(k))})
    texts = {t.id: t.text for t in transcripts}
    for other in others:
        ct = np.zeros((len(groups), len(concepts), 2, 2))
        pt = np.zeros((len(groups), len(pol), len(pol)))
        n_pol, no_pol, multi = 0, {reference: 0, other: 0}, {reference: 0, other: 0}
        coded_by = {k: {t.id for t in transcripts if any(c.coder == k for c in t.codes)} for k in (reference, other)}
        uncoded = sorted(coded_by[reference] ^ coded_by[other])
        if uncoded:
            result.excluded[f"units of transcripts coded by only one of {reference}, {other} ({', '.join(uncoded[:5])}"
                            f"{' ...' if len(uncoded) > 5 else ''})"] = sum(u.transcript_id in uncoded for u in units)
        pair_units = [u for u in units if u.transcript_id not in uncoded]
        for u in pair_units:
            g = gidx[u.group]
            for k in (reference, other):
                multi[k] += sum(c.startswith(POLARITY_PREFIX) for c in u.codes.get(k, ())) > 1
            a, b = u.concepts(reference), u.concepts(other)
            for i, c in enumerate(concepts):
                ct[g, i, int(c in a), int(c in b)] += 1
            pa, pb = u.polarity(reference), u.polarity(other)
            for k, p in ((reference, pa), (other, pb)):
                no_pol[k] += p is None
            if pa is not None and pb is not None:
                pt[g, pol.index(pa), pol.index(pb)] += 1
                n_pol += 1
            if a != b or pa != pb:
                result.disagreements.append(_disagreement(u, texts[u.transcript_id], reference, other, context))
        for k, n in no_pol.items():
            if n:
                result.excluded[f"units without polarity by {k} (left out of polarity vs {other})"] = n
        for k, n in multi.items():
            if n:
                result.warnings.append(f"{n} units have more than one polarity by {k}; the first in alphabetical "
                                       f"order was used (Unit.polarity). Adjudicate them in the disagreement file.")
        if concepts:
            result.stats += stats_from_tables(ct.sum(1), weights, target="concepts", ref=reference, other=other,
                                              q=2, n_units=len(pair_units) * len(concepts), confidence=confidence)
            result.stats += prf_stats(ct, weights, ref=reference, other=other, n_units=len(pair_units),
                                      confidence=confidence)
        if len(pol):
            result.stats += stats_from_tables(pt, weights, target="polarity", ref=reference, other=other,
                                               q=len(pol), n_units=n_pol, confidence=confidence)
            result.confusion[other] = {"labels": pol, "matrix": pt.sum(0).astype(int).tolist()}
        result.per_code += per_code_rows(ct, concepts, reference, other, weights=weights, confidence=confidence)
    if others and len(others) > 1:
        result.stats += _multi_coder(units, [reference, *others], pol)
    paradox_warnings(result)
    return result


def _disagreement(u: Unit, text: str, reference: str, other: str, context: int) -> dict:
    a, b = u.concepts(reference), u.concepts(other)
    return {"transcript": u.transcript_id, "unit": u.id, "group": u.group, "start": u.start, "end": u.end,
            "reference": reference, "other": other,
            "reference_codes": ";".join(sorted(a)), "other_codes": ";".join(sorted(b)),
            "only_reference": ";".join(sorted(a - b)), "only_other": ";".join(sorted(b - a)),
            "reference_polarity": u.polarity(reference) or "", "other_polarity": u.polarity(other) or "",
            "context_before": text[max(0, u.start - context):u.start], "text": u.text,
            "context_after": text[u.end:u.end + context], "decision": ""}


def _multi_coder(units: Sequence[Unit], coders: Sequence[str], pol: Sequence[str]) -> list[Stat]:
    """Fleiss' kappa (units every coder coded) and Krippendorff's alpha (missing allowed) over all coders."""
    out = []
    ratings = [[u.polarity(k) for u in units] for k in coders]
    complete = [i for i in range(len(units)) if all(r[i] is not None for r in ratings)]
    table = np.array([[sum(r[i] == p for r in ratings) for p in pol] for i in complete])
    out.append(_all("polarity", "fleiss_kappa", coders, lambda: fleiss_kappa_table(table), len(complete)))
    out.append(_all("polarity", "krippendorff_alpha", coders, lambda: krippendorff_alpha_nominal(ratings),
                    len(units)))
    return out


def _all(target: str, name: str, coders: Sequence[str], fn: Callable[[], float], n: int) -> Stat:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fn() if n else math.nan
    reason = str(caught[0].message) if caught else (None if n else "no unit was coded by every coder.")
    return Stat(target, name, coders[0], "all", value, n_units=n, reason=reason)
