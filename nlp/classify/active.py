"""Active learning: which uncoded segments would help the model most if a person coded them next.

Score = uncertainty x novelty. Uncertainty is the mean of (a) polarity entropy (normalised to 0..1) and (b) the
highest closeness of any code's probability to that code's threshold. Novelty discounts segments similar to ones
already picked (cosine similarity of their features), so the list is not ten near-copies of one quote; exact
duplicates (same words) of a picked segment are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..features import analyses_of
from .tag import _get

__all__ = ["suggest"]


def suggest(model: Any, units: Sequence[Any], *, n: int = 20, diversity: float = 0.5) -> list[dict[str, Any]]:
    """The ``n`` units (``Unit`` objects or mappings with ``text`` and ``id``) most worth coding next, best first;
    the model reads each unit's analysis (:func:`nlp.features.analyses_of`).

    Returns records ``{"rank", "id", "source", "text", "score", "uncertainty", "codes_near", "polarity_scores"}``;
    ties are broken by input order, so the result is deterministic.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> [s["id"] for s in suggest(m, [{"id": "x", "text": "deler kunnskap"}, {"id": "y", "text": "hei"}], n=1)]
    ['y']
    """
    units = list(units)
    if not units:
        return []
    texts = [str(_get(u, "text", "")) for u in units]
    analyses = analyses_of(units)
    x = model.concepts.transform(analyses)
    p_codes, p_pol = model.concepts.proba_from_features(x), model.polarity.predict_proba(analyses)
    k = p_pol.shape[1]
    ent = -(p_pol * np.log(np.clip(p_pol, 1e-12, 1.0))).sum(axis=1) / np.log(max(k, 2))
    thr = np.clip(model.concepts.thresholds_, 1e-6, 1.0)
    width = np.maximum(thr, 1.0 - thr)
    close = 1.0 - np.abs(p_codes - thr) / width if p_codes.shape[1] else np.zeros((len(texts), 1))
    code_unc = close.max(axis=1)
    unc = 0.5 * ent + 0.5 * code_unc

    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    xn = x.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]).tocsr()
    chosen: list[int] = []
    max_sim = np.zeros(len(texts))
    score = unc.copy()
    keys = [" ".join(t.lower().split()) for t in texts]
    taken: set[str] = set()
    for _ in range(min(n, len(texts))):
        adj = unc * (1.0 - diversity * max_sim)
        adj[[j for j, k in enumerate(keys) if k in taken]] = -np.inf  # chosen ones and their exact duplicates
        if not np.isfinite(adj).any():
            break
        i = int(np.argmax(adj))  # first maximum: input order breaks ties
        taken.add(keys[i])
        chosen.append(i)
        score[i] = adj[i]
        sim = np.asarray((xn @ xn[i].T).todense()).ravel()
        max_sim = np.maximum(max_sim, sim)
    out = []
    for rank, i in enumerate(chosen, 1):
        near = [model.classes_[j] for j in np.argsort(-close[i], kind="stable")[:3] if close[i, j] > 0.5]
        out.append(
            {
                "rank": rank,
                "id": str(_get(units[i], "id", i)),
                "source": _get(units[i], "source", None),
                "text": texts[i],
                "score": round(float(score[i]), 4),
                "uncertainty": round(float(unc[i]), 4),
                "codes_near": near,
                "polarity_scores": {p: round(float(v), 4) for p, v in zip(model.polarity_classes_, p_pol[i])},
            }
        )
    return out
