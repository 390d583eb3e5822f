"""Character-level comparison, as NVivo's coding comparison query does it: per code x source, then pooled.

Every character of a source is a unit; for each code a coder either covers it or not. NVivo reports kappa and
percent agreement per code x source and leaves the averaging to Excel; here each code also gets the pooled
figures (tables summed over sources), the size-weighted mean of the per-source kappas (weights = characters) and the
plain mean. NVivo reports kappa 1 for a source where neither coder used a code (complete agreement on every
character); by default we report that kappa as undefined, with the reason, and leave it out of the averages, because
there is nothing to agree on and chance agreement is 1. ``nvivo_kappa=True`` follows NVivo (kappa 1 there, counted
in the averages), to reproduce NVivo's figures. Bootstrap intervals resample sources (transcripts, or their
``meta["group"]``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from ..model import POLARITY_PREFIX, Transcript
from .coefficients import table_coefficients
from .tables import (
    Comparison,
    bootstrap_plan,
    dropped_warnings,
    paradox_warnings,
    prf_stats,
    stats_from_tables,
)

__all__ = ["compare_characters", "coverage_mask"]


def coverage_mask(transcript: Transcript, code: str, coder: str) -> np.ndarray:
    """Boolean array over ``transcript.text``: True where ``coder`` applied ``code``.

    Examples
    --------
    >>> from nlp.model import CodeSpan
    >>> t = Transcript("i1", "Vi deler alt", codes=(CodeSpan("tillit", 3, 8, "A"),))
    >>> coverage_mask(t, "tillit", "A").astype(int).tolist()
    [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    """
    mask = np.zeros(len(transcript.text), dtype=bool)
    for c in transcript.codes:
        if c.code == code and c.coder == coder:
            mask[c.start : c.end] = True
    return mask


def _runs(diff: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], diff.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _pct(x: float, n: int) -> float:
    return 100 * float(x) / n if n else math.nan


def compare_characters(
    transcripts: Sequence[Transcript],
    *,
    reference: str,
    others: Sequence[str],
    by_coder: Mapping[str, set],
    confidence: float,
    n_boot: int,
    random_state: int,
    context: int,
    nvivo_kappa: bool = False,
) -> Comparison:
    """Character-level comparison of OTHER coders with REFERENCE (called by :func:`nlp.agreement.comparison.compare`).

    With ``nvivo_kappa`` a code x source kappa where the coders agree on every character (as where neither used
    the code) is 1, as NVivo reports it; by default it is undefined with the reason.
    """
    group_of = {t.id: str(t.meta.get("group") or t.id) for t in transcripts}
    groups = sorted(set(group_of.values()))
    gidx = {g: i for i, g in enumerate(groups)}
    n_chars = sum(len(t.text) for t in transcripts)
    result = Comparison(
        "character",
        reference,
        tuple(others),
        n_chars,
        len(groups),
        len(transcripts),
        confidence,
        n_boot,
        random_state,
    )
    result.nvivo_kappa = nvivo_kappa
    sizes = {g: sum(len(t.text) for t in transcripts if group_of[t.id] == g) for g in groups}
    result.groups = {
        "n": len(groups),
        "sizes": sizes,
        "from": "transcript" if any(t.meta.get("group") for t in transcripts) else "transcript id",
        "kinds": {},
        "n_transcripts": len(transcripts),
        "nested": False,
        "documents": dict(Counter(str(t.meta["document"]) for t in transcripts if t.meta.get("document"))),
    }
    weights, result.effective_groups, result.distinct_resamples, result.no_ci_reason, notes = bootstrap_plan(
        [sizes[g] for g in groups], n_boot=n_boot, random_state=random_state, what="sources"
    )
    result.warnings += notes
    pooled: dict[tuple[str, str], np.ndarray] = {}
    for other in others:
        codes = sorted(by_coder.get(reference, set()) | by_coder.get(other, set()))
        tables = np.zeros((len(groups), len(codes), 2, 2))
        per_source: dict[str, list[tuple[float, int]]] = {c: [] for c in codes}
        for t in transcripts:
            g = gidx[str(t.meta.get("group") or t.id)]
            n = len(t.text)
            for i, code in enumerate(codes):
                a, b = coverage_mask(t, code, reference), coverage_mask(t, code, other)
                both, only_a, only_b = int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum())
                tab = np.array([[n - both - only_a - only_b, only_b], [only_a, both]], dtype=float)
                tables[g, i] += tab
                c = table_coefficients(tab, n_categories=2)
                kappa, reason = c["cohen_kappa"].value, c["cohen_kappa"].reason
                if nvivo_kappa and n and only_a == only_b == 0:
                    kappa, reason = (
                        1.0,
                        None,
                    )  # NVivo: complete agreement (e.g. neither used the code) is kappa 1
                per_source[code].append((kappa, n))
                result.per_code.append(
                    {
                        "code": code,
                        "source": t.id,
                        "reference": reference,
                        "other": other,
                        "n_units": n,
                        "percent_agreement": c["percent_agreement"].value,
                        "cohen_kappa": kappa,
                        "both_pct": _pct(both, n),
                        "neither_pct": _pct(tab[0, 0], n),
                        "only_reference_pct": _pct(only_a, n),
                        "only_other_pct": _pct(only_b, n),
                        "reason": reason,
                        "warning": None,
                    }
                )
                for s, e in _runs(a != b):
                    result.disagreements.append(
                        {
                            "transcript": t.id,
                            "unit": f"{t.id}:{s}-{e}",
                            "group": str(t.meta.get("group") or t.id),
                            "start": s,
                            "end": e,
                            "reference": reference,
                            "other": other,
                            "code": code,
                            "coded_by": reference if a[s] else other,
                            "context_before": t.text[max(0, s - context) : s],
                            "text": t.text[s:e],
                            "context_after": t.text[e : e + context],
                            "decision": "",
                        }
                    )
        for i, code in enumerate(codes):
            c = table_coefficients(tables[:, i].sum(0), n_categories=2)
            ks = [(k, n) for k, n in per_source[code] if not math.isnan(k)]
            result.per_code.append(
                {
                    "code": code,
                    "source": "(pooled)",
                    "reference": reference,
                    "other": other,
                    "n_units": int(tables[:, i].sum()),
                    "n_reference": int(tables[:, i, 1].sum()),
                    "n_other": int(tables[:, i, :, 1].sum()),
                    "n_both": int(tables[:, i, 1, 1].sum()),
                    **{k: v.value for k, v in c.items()},
                    "kappa_size_weighted_mean": (sum(k * n for k, n in ks) / sum(n for _, n in ks))
                    if ks
                    else math.nan,
                    "kappa_mean": float(np.mean([k for k, _ in ks])) if ks else math.nan,
                    "n_sources_kappa_defined": len(ks),
                    "reason": c["cohen_kappa"].reason,
                    "warning": None,
                }
            )
        concept = [i for i, c in enumerate(codes) if not c.startswith(POLARITY_PREFIX)]
        polar = [i for i, c in enumerate(codes) if c.startswith(POLARITY_PREFIX)]
        for target, idx in (("concepts", concept), ("polarity", polar)):
            if idx:
                result.stats += stats_from_tables(
                    tables[:, idx].sum(1),
                    weights,
                    target=target,
                    ref=reference,
                    other=other,
                    q=2,
                    n_units=n_chars * len(idx),
                    confidence=confidence,
                )
                pooled[(target, other)] = tables[:, idx].sum((0, 1))
        if concept:
            result.stats += prf_stats(
                tables[:, concept],
                weights,
                ref=reference,
                other=other,
                n_units=n_chars,
                confidence=confidence,
            )
    paradox_warnings(result, pooled)
    dropped_warnings(result)
    return result
