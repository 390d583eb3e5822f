"""Validation of coding: project code spans onto units, compare coders, bootstrap over interviews.

The unit of analysis is an explicit choice (``unit=`` has no default): ``"segment"`` (one unit per speaker turn or
excerpt, as :func:`nlp.model.iter_units` makes them), ``"sentence"`` (segments split into sentences) or
``"character"`` (every character of every source, per code x source, as NVivo's coding comparison does).

Confidence intervals are percentile bootstrap intervals over *groups* (``Unit.group``: informants, sections,
transcripts, whatever the data define; :func:`describe_groups` says which), not over units: units of one group are
not independent. Everything is computed from per-group contingency tables (or per-group sums, for several coders), so
a replicate is a weighted sum. Replicates in which a coefficient is undefined are counted and left out of its
interval; with fewer than 100 distinct resamples (4 groups: 35) no interval is given; Kish's effective number of
groups is reported beside the number of groups.

Rendering (methods paragraph, tables, the disagreement file) lives in :mod:`nlp.agreement.render`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from ..errors import ConfigError, InputError
from ..model import POLARITY_PREFIX, Segment, Transcript, Unit, iter_units
from ..normalise import identify_language, split_sentences
from .characters import compare_characters
from .coefficients import MULTI_COEFFICIENTS, MULTI_SUM_KEYS, multi_coder_from_sums, multi_coder_sums
from .tables import (
    COEFFICIENTS,
    Comparison,
    Stat,
    bootstrap_plan,
    dropped_warnings,
    paradox_warnings,
    per_code_rows,
    prf_stats,
    stat_with_ci,
    stats_from_tables,
)

__all__ = [
    "COEFFICIENTS",
    "UNITS",
    "UNIT_RULES",
    "Comparison",
    "Stat",
    "coder_notes",
    "compare",
    "describe_groups",
    "merge_codings",
    "project_units",
]

#: How code spans become unit labels, per unit of analysis (said in the methods paragraph).
UNIT_RULES = {
    "segment": "a code applies to a segment when the coder's span overlaps it by at least half of the shorter of "
    "the two (span or segment), so a span that only grazes a neighbouring turn does not count there",
    "sentence": "a code applies to a sentence when the coder's span overlaps it by at least half of the shorter of "
    "the two (span or sentence)",
    "character": "every character inside one of the coder's spans of a code counts as coded with it",
}

UNITS = ("segment", "sentence", "character")
_WORD = re.compile(r"\w+")


def merge_codings(
    reference: Sequence[Transcript],
    others: Mapping[str, Sequence[Transcript]],
    *,
    reference_name: str | None,
    paths: Mapping[str, str] | None = None,
) -> list[Transcript]:
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
    merged = {
        tid: t
        if reference_name is None
        else replace(t, codes=tuple(replace(c, coder=reference_name) for c in t.codes))
        for tid, t in ref.items()
    }
    for name, coding in others.items():
        where = paths.get(name, name)
        got = {t.id: t for t in coding}
        missing, extra = sorted(set(ref) - set(got)), sorted(set(got) - set(ref))
        if missing or extra:
            raise InputError(
                f"{where} does not code the same texts as {paths.get(reference_name or '', 'the reference')}"
                f": missing {missing[:5]}, extra {extra[:5]}.",
                fix="compare codings of the same transcripts (same ids).",
            )
        for tid, t in got.items():
            if t.text != ref[tid].text:
                i = next(
                    (k for k, (x, y) in enumerate(zip(t.text, ref[tid].text)) if x != y),
                    min(len(t.text), len(ref[tid].text)),
                )
                raise InputError(
                    f"{where}: transcript {tid!r} has a different text from the reference (first "
                    f"difference at character {i}), so code offsets cannot be compared.",
                    fix="code the same ingested text; re-export both codings from one project.",
                )
            merged[tid] = merged[tid].with_codes(replace(c, coder=name) for c in t.codes)
    return list(merged.values())


def _default_splitter(text: str, lang: str | None) -> list[tuple[int, int]]:
    return list(split_sentences(text, lang or identify_language(text)))


def project_units(
    transcripts: Sequence[Transcript],
    *,
    unit: str,
    include_interviewer: bool = False,
    sentence_splitter: Callable[[str, str | None], list[tuple[int, int]]] | None = None,
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
                for a, b in split(t.text[s.start : s.end], s.lang or t.lang):
                    if b > a:
                        sents.append(
                            replace(
                                s,
                                start=s.start + a,
                                end=s.start + b,
                                id=f"{s.id or t.id}#{s.start + a}-{s.start + b}",
                                meta={**s.meta, "group": s.meta.get("group") or t.meta.get("group")},
                            )
                        )
            segs = tuple(sents)
        out.extend(iter_units([replace(t, segments=segs)], include_interviewer=True))
    return out


def _segment_group(t: Transcript, s: Segment) -> str:
    return str(s.meta.get("group") or t.meta.get("group") or t.id)  # as nlp.model.iter_units


def describe_groups(transcripts: Sequence[Transcript], units: Sequence[Unit]) -> dict:
    """How the resampling groups of ``units`` were formed, read from the data: for the methods paragraph.

    Returns ``n`` (groups), ``sizes`` (units per group), ``from`` (``"segment"``: segments' ``meta["group"]``;
    ``"transcript"``: transcripts' ``meta["group"]``; ``"transcript id"``: one group per transcript, the default),
    ``kinds`` (counts of the segments' ``meta["group_kind"]`` per group, where the data say what a group is),
    ``n_transcripts``, ``nested`` (every group inside one transcript, several groups in some transcript) and
    ``documents`` (counts of the transcripts' ``meta["document"]``, e.g. "a whole thesis").

    Examples
    --------
    >>> t = Transcript("i1", "Ja. Nei.", segments=(Segment(0, 3), Segment(4, 8)))
    >>> d = describe_groups([t], iter_units([t]))
    >>> d["n"], d["from"], d["sizes"]
    (1, 'transcript id', {'i1': 2})
    """
    units = list(units)
    used = {u.group for u in units}
    sizes: dict[str, int] = {}
    for u in units:
        sizes[u.group] = sizes.get(u.group, 0) + 1
    origin, kinds, where = set(), {}, {}
    for t in transcripts:
        for s in t.segments:
            g = _segment_group(t, s)
            if g not in used:
                continue
            origin.add(
                "segment" if s.meta.get("group") else "transcript" if t.meta.get("group") else "transcript id"
            )
            where.setdefault(g, set()).add(t.id)
            if s.meta.get("group_kind"):
                kinds.setdefault(g, s.meta["group_kind"])
    by_transcript = {}
    for g, ts in where.items():
        for tid in ts:
            by_transcript[tid] = by_transcript.get(tid, 0) + 1
    kind_counts: dict[str, int] = {}
    for k in kinds.values():
        kind_counts[k] = kind_counts.get(k, 0) + 1
    docs: dict[str, int] = {}
    for t in transcripts:
        if t.meta.get("document"):
            docs[str(t.meta["document"])] = docs.get(str(t.meta["document"]), 0) + 1
    return {
        "n": len(used),
        "sizes": dict(sorted(sizes.items())),
        "from": "segment"
        if "segment" in origin
        else "transcript"
        if "transcript" in origin
        else "transcript id",
        "kinds": kind_counts,
        "n_transcripts": len({u.transcript_id for u in units}),
        "nested": all(len(ts) == 1 for ts in where.values()) and any(n > 1 for n in by_transcript.values()),
        "documents": docs,
    }


def coder_notes(transcripts: Sequence[Transcript], coders: Sequence[str]) -> dict[str, str]:
    """What the transcripts' ``meta["codings"]`` say about how each coder's coding was made (provenance).

    Examples
    --------
    >>> t = Transcript("i1", "Ja.", meta={"codings": {"A": "made with AI assistance"}})
    >>> coder_notes([t], ["A", "B"])
    {'A': 'made with AI assistance'}
    """
    out: dict[str, str] = {}
    for t in transcripts:
        for k, v in dict(t.meta.get("codings") or {}).items():
            if k in coders and v:
                out.setdefault(k, str(v))
    return {k: out[k] for k in coders if k in out}


def _check_coders(codes_by_coder: Mapping[str, set], coders: Sequence[str], codebook) -> None:
    for c in coders:
        if c not in codes_by_coder:
            raise InputError(
                f"coder {c!r} has no codes in these texts (coders found: "
                f"{sorted(codes_by_coder) or 'none'}).",
                fix="name a coder that coded these texts.",
            )
        if codebook is not None:
            codebook.check_codes(codes_by_coder[c], where=f"coder {c!r}")


def compare(
    transcripts: Sequence[Transcript],
    *,
    unit: str,
    reference: str,
    others: Sequence[str],
    codebook=None,
    include_interviewer: bool = False,
    min_words: int | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    random_state: int = 0,
    context: int = 160,
    sentence_splitter: Callable[[str, str | None], list[tuple[int, int]]] | None = None,
    nvivo_kappa: bool = False,
) -> Comparison:
    """Compare OTHER coders with REFERENCE on the same texts: coefficients with bootstrap CIs, per code, polarity.

    Parameters
    ----------
    transcripts
        The texts, with every coder's codes (see :func:`merge_codings`).
    unit
        ``"segment"``, ``"sentence"`` or ``"character"``: a scientific choice, so there is no default.
    reference, others
        Coder names. With more than two coders, polarity agreement over all of them is added (percent agreement,
        Gwet's AC1, Brennan-Prediger, Conger's kappa and Krippendorff's alpha with missing values; Fleiss' kappa on
        the units every coder coded), with bootstrap intervals.
    codebook
        If given, unknown codes raise :class:`~nlp.errors.InputError`; its polarity values fix the categories.
    min_words
        Leave out units with fewer words (short fragments), reporting how many (segment/sentence only).
    confidence, n_boot, random_state
        Bootstrap over groups (interviews): level, replicates, seed.
    context
        Characters of context on each side in the disagreement list.
    nvivo_kappa
        Character level only: NVivo's convention, kappa 1 for a code that neither coder used in a source (the
        default leaves that kappa undefined, with the reason, and out of the averages).

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
    notes = coder_notes(transcripts, [reference, *others])
    if unit == "character":
        result = compare_characters(
            transcripts,
            reference=reference,
            others=others,
            by_coder=by_coder,
            confidence=confidence,
            n_boot=n_boot,
            random_state=random_state,
            context=context,
            nvivo_kappa=nvivo_kappa,
        )
        result.coder_notes, result.unit_rule = notes, UNIT_RULES[unit]
        return result
    if nvivo_kappa:
        raise ConfigError(
            "nvivo_kappa is a character-level convention (kappa 1 for a code neither coder used in a "
            "source).",
            fix="use it with unit='character' (--unit character), or leave it out.",
        )
    units = project_units(
        transcripts, unit=unit, include_interviewer=include_interviewer, sentence_splitter=sentence_splitter
    )
    result = Comparison(
        unit, reference, tuple(others), 0, 0, len(transcripts), confidence, n_boot, random_state
    )
    result.coder_notes, result.unit_rule = notes, UNIT_RULES[unit]
    if min_words:
        short = [u for u in units if len(_WORD.findall(u.text)) < min_words]
        units = [u for u in units if len(_WORD.findall(u.text)) >= min_words]
        result.excluded[f"units with fewer than {min_words} words"] = len(short)
    if not units:
        raise InputError("there are no units to compare.", fix="check the segments, or lower --min-words.")
    groups = sorted({u.group for u in units})
    gidx = {g: i for i, g in enumerate(groups)}
    result.n_units, result.n_groups = len(units), len(groups)
    result.groups = describe_groups(transcripts, units)
    weights, result.effective_groups, result.distinct_resamples, result.no_ci_reason, notes_ = bootstrap_plan(
        [result.groups["sizes"][g] for g in groups], n_boot=n_boot, random_state=random_state, what="groups"
    )
    result.warnings += notes_
    concepts = sorted({c for u in units for k in (reference, *others) for c in u.concepts(k)})
    observed = sorted({p for u in units for k in (reference, *others) if (p := u.polarity(k))})
    pol = (
        list(codebook.polarity) + [p for p in observed if p not in codebook.polarity]
        if codebook is not None
        else observed
    )
    result.polarity_labels = pol
    texts = {t.id: t.text for t in transcripts}
    pooled: dict[tuple[str, str], np.ndarray] = {}
    for other in others:
        ct = np.zeros((len(groups), len(concepts), 2, 2))
        pt = np.zeros((len(groups), len(pol), len(pol)))
        n_pol, multi = 0, {reference: 0, other: 0}
        no_pol = {"both": 0, reference: 0, other: 0}
        coded_by = {
            k: {t.id for t in transcripts if any(c.coder == k for c in t.codes)} for k in (reference, other)
        }
        uncoded = sorted(coded_by[reference] ^ coded_by[other])
        if uncoded:
            result.excluded[
                f"units of transcripts coded by only one of {reference}, {other} ({', '.join(uncoded[:5])}"
                f"{' ...' if len(uncoded) > 5 else ''}; left out of {reference} vs {other})"
            ] = sum(u.transcript_id in uncoded for u in units)
        pair_units = [u for u in units if u.transcript_id not in uncoded]
        for u in pair_units:
            g = gidx[u.group]
            for k in (reference, other):
                multi[k] += sum(c.startswith(POLARITY_PREFIX) for c in u.codes.get(k, ())) > 1
            a, b = u.concepts(reference), u.concepts(other)
            for i, c in enumerate(concepts):
                ct[g, i, int(c in a), int(c in b)] += 1
            pa, pb = u.polarity(reference), u.polarity(other)
            if pa is None or pb is None:  # each unit counted once: by neither, or by the one who left it out
                no_pol["both" if pa is None and pb is None else reference if pa is None else other] += 1
            else:
                pt[g, pol.index(pa), pol.index(pb)] += 1
                n_pol += 1
            if a != b or pa != pb:
                result.disagreements.append(
                    _disagreement(u, texts[u.transcript_id], reference, other, context)
                )
        for k, n in no_pol.items():
            if n:
                who = f"by neither {reference} nor {other}" if k == "both" else f"by {k} only"
                result.excluded[
                    f"units without polarity {who} (left out of polarity, {reference} vs {other})"
                ] = n
        for k, n in multi.items():
            if n:
                result.warnings.append(
                    f"{n} units have more than one polarity by {k}; the first in alphabetical "
                    f"order was used (Unit.polarity). Adjudicate them in the disagreement file."
                )
        if concepts:
            result.stats += stats_from_tables(
                ct.sum(1),
                weights,
                target="concepts",
                ref=reference,
                other=other,
                q=2,
                n_units=len(pair_units) * len(concepts),
                confidence=confidence,
            )
            result.stats += prf_stats(
                ct, weights, ref=reference, other=other, n_units=len(pair_units), confidence=confidence
            )
            pooled[("concepts", other)] = ct.sum((0, 1))
        if len(pol):
            result.stats += stats_from_tables(
                pt,
                weights,
                target="polarity",
                ref=reference,
                other=other,
                q=len(pol),
                n_units=n_pol,
                confidence=confidence,
            )
            result.confusion[other] = {"labels": pol, "matrix": pt.sum(0).astype(int).tolist()}
            pooled[("polarity", other)] = pt.sum(0)
        result.per_code += per_code_rows(
            ct, concepts, reference, other, weights=weights, confidence=confidence
        )
    if len(others) > 1 and pol:
        result.stats += _multi_coder(units, [reference, *others], pol, gidx, weights, confidence)
    paradox_warnings(result, pooled)
    dropped_warnings(result)
    return result


def _disagreement(u: Unit, text: str, reference: str, other: str, context: int) -> dict:
    a, b = u.concepts(reference), u.concepts(other)
    return {
        "transcript": u.transcript_id,
        "unit": u.id,
        "group": u.group,
        "start": u.start,
        "end": u.end,
        "reference": reference,
        "other": other,
        "reference_codes": ";".join(sorted(a)),
        "other_codes": ";".join(sorted(b)),
        "only_reference": ";".join(sorted(a - b)),
        "only_other": ";".join(sorted(b - a)),
        "reference_polarity": u.polarity(reference) or "",
        "other_polarity": u.polarity(other) or "",
        "context_before": text[max(0, u.start - context) : u.start],
        "text": u.text,
        "context_after": text[u.end : u.end + context],
        "decision": "",
    }


def _multi_coder(
    units: Sequence[Unit],
    coders: Sequence[str],
    pol: Sequence[str],
    gidx: Mapping[str, int],
    weights: np.ndarray | None,
    confidence: float,
) -> list[Stat]:
    """Polarity agreement over all coders (missing values allowed), with bootstrap intervals over groups.

    Fleiss' kappa is computed on the units every coder coded; the other coefficients on every unit at least two
    coders coded (Gwet 2014).
    """
    idx = {p: i for i, p in enumerate(pol)}
    codes = np.array(
        [[idx[p] if (p := u.polarity(k)) is not None else -1 for u in units] for k in coders], dtype=int
    )
    g_of = np.array([gidx[u.group] for u in units])
    per_group = [multi_coder_sums(codes[:, g_of == g], len(pol)) for g in range(len(gidx))]
    stacked = {k: np.stack([np.asarray(s[k], dtype=float) for s in per_group]) for k in MULTI_SUM_KEYS}
    point = multi_coder_from_sums({k: v.sum(0) for k, v in stacked.items()}, coders=coders)
    reps: dict[str, list[float]] = {k: [] for k in MULTI_COEFFICIENTS}
    if weights is not None:
        for w in weights:
            rep = multi_coder_from_sums(
                {k: np.tensordot(w, v, axes=1) for k, v in stacked.items()}, coders=coders
            )
            for k in MULTI_COEFFICIENTS:
                reps[k].append(rep[k].value)
    totals = {k: v.sum(0) for k, v in stacked.items()}
    out = []
    for k in MULTI_COEFFICIENTS:
        n = int(totals["n_complete"] if k == "fleiss_kappa" else totals["n_pairable"])
        out.append(
            stat_with_ci(
                "polarity",
                k,
                coders[0],
                "all",
                point[k].value,
                reps[k] if weights is not None else None,
                n,
                point[k].reason,
                confidence,
            )
        )
    return out
