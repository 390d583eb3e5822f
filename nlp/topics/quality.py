"""How good is a topic model, and how many topics: coherence, diversity, stability, and a sweep over K.

- Coherence ``c_npmi`` (Aletras & Stevenson 2013; Röder et al. 2015) and ``c_v`` (Röder et al. 2015), computed with
  gensim's ``CoherenceModel`` on *our own* tokenised texts (the corpus being modelled), never an external corpus.
- Topic diversity (Dieng, Ruiz & Blei 2020): the share of unique words among the top words of all topics.
- Stability: fit with several seeds, match the topics of every pair of runs one-to-one by the Jaccard similarity of
  their top words (Hungarian matching, as in Greene, O'Callaghan & Cunningham 2014) and average the matched scores.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone

from ..errors import ConfigError, InputError
from .models import check_documents

__all__ = [
    "SweepResult",
    "coherence",
    "match_topics",
    "parse_k_range",
    "recommend_k",
    "sweep_topics",
    "topic_diversity",
    "topic_stability",
]

Topics = Sequence[Sequence[str]]


def coherence(
    topics: Topics, texts: Sequence[Sequence[str]], *, measure: str = "c_npmi", topn: int = 10
) -> tuple[float, list[float]]:
    """Mean and per-topic coherence of ``topics`` (word lists) on the tokenised ``texts``.

    Parameters
    ----------
    topics
        Top words of each topic, best first.
    texts
        The tokenised documents the model was fitted on (the same analyzer output), which are the reference.
    measure
        ``c_npmi`` (sliding window 10) or ``c_v`` (sliding window 110), as defined in gensim.
    topn
        Top words per topic to use.

    Examples
    --------
    >>> texts = [["fisk", "båt"], ["fisk", "båt"], ["data", "sky"], ["data", "sky"]]
    >>> round(coherence([["fisk", "båt"], ["data", "sky"]], texts)[0], 3)
    1.0
    """
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    if measure not in ("c_npmi", "c_v", "c_uci", "u_mass"):
        raise ConfigError(f"unknown coherence measure {measure!r}.", fix="use c_npmi or c_v.")
    dictionary = Dictionary([sorted({w for t in texts for w in t})])
    topics = [list(t)[:topn] for t in topics]
    unknown = sorted({w for t in topics for w in t if w not in dictionary.token2id})
    if unknown:
        raise InputError(
            f"topic words not found in the reference texts: {', '.join(unknown[:10])}.",
            fix="compute coherence on the tokenised texts the model was fitted on.",
        )
    if not topics or min(len(t) for t in topics) < 2:
        raise InputError("coherence needs at least two words per topic.")
    cm = CoherenceModel(
        topics=topics,
        texts=[list(t) for t in texts],
        dictionary=dictionary,
        coherence=measure,
        topn=min(len(t) for t in topics),
        processes=1,
    )
    per_topic = [float(x) for x in cm.get_coherence_per_topic()]
    return float(np.mean(per_topic)), per_topic


def topic_diversity(topics: Topics, *, topn: int = 25) -> float:
    """Share of unique words among the top ``topn`` words of all topics (1 = no word shared between topics).

    Examples
    --------
    >>> topic_diversity([["a", "b"], ["b", "c"]], topn=2)
    0.75
    """
    tops = [list(t)[:topn] for t in topics]
    total = sum(len(t) for t in tops)
    return len({w for t in tops for w in t}) / total if total else 0.0


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def match_topics(a: Topics, b: Topics, *, topn: int = 10) -> list[tuple[int, int, float]]:
    """Match the topics of two runs one-to-one, maximising the summed Jaccard similarity of their top words.

    Returns ``(topic in a, topic in b, jaccard)`` triples sorted by the topic in ``a``.

    Examples
    --------
    >>> match_topics([["fisk", "båt"], ["data", "sky"]], [["data", "sky"], ["fisk", "hav"]])
    [(0, 1, 0.3333333333333333), (1, 0, 1.0)]
    """
    sim = np.array([[_jaccard(list(x)[:topn], list(y)[:topn]) for y in b] for x in a])
    rows, cols = linear_sum_assignment(-sim)
    return sorted((int(r), int(c), float(sim[r, c])) for r, c in zip(rows, cols))


def topic_stability(runs: Sequence[Topics], *, topn: int = 10) -> float:
    """Mean matched top-word Jaccard over all pairs of runs (1 = every seed finds the same topics).

    Examples
    --------
    >>> topic_stability([[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "b"]]])
    1.0
    """
    if len(runs) < 2:
        raise ConfigError("stability needs at least two runs (seeds).", fix="pass --seeds 2 or more.")
    scores = [
        np.mean([s for _, _, s in match_topics(x, y, topn=topn)]) for x, y in itertools.combinations(runs, 2)
    ]
    return float(np.mean(scores))


def parse_k_range(text: str) -> list[int]:
    """Parse ``"4:12"`` / ``"4:12:2"`` (inclusive) or ``"4,6,10"`` into a sorted list of topic numbers.

    Examples
    --------
    >>> parse_k_range("2:8:3"), parse_k_range("10,5")
    ([2, 5, 8], [5, 10])
    """
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            start, stop = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1
            if step < 1:
                raise ValueError
            ks = list(range(start, stop + 1, step))
        else:
            ks = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError as exc:
        raise ConfigError(
            f"cannot read the K range {text!r}.", fix="write it as 4:12, 4:20:2 or 4,6,8."
        ) from exc
    if not ks or min(ks) < 1:
        raise ConfigError(
            f"the K range {text!r} gives no positive topic numbers.", fix="e.g. --k-range 4:12."
        )
    return ks


@dataclass
class SweepResult:
    """Quality per K: one row per K with ``k``, ``c_npmi``, ``c_v``, ``diversity``, ``stability`` (and fit seconds).

    ``runs[k]`` holds the top words of each seed's model (for inspection); ``recommended_k`` is the suggestion.
    """

    rows: list[dict[str, Any]]
    recommended_k: int
    seeds: list[int]
    runs: dict[int, list[list[list[str]]]] = field(default_factory=dict, repr=False)

    def table(self, *, timings: bool = False) -> list[dict[str, Any]]:
        """The rows (without fit times unless asked: they differ between runs, outputs must not)."""
        return [{k: v for k, v in r.items() if timings or k != "fit_seconds"} for r in self.rows]


def recommend_k(
    rows: Sequence[dict[str, Any]], *, metrics: Sequence[str] = ("c_npmi", "c_v", "stability", "diversity")
) -> int:
    """Suggest K: the best mean of the min-max-scaled metrics over the sweep (ties go to the smaller K).

    A heuristic to start reading from, not a verdict: look at the curve and at the topics themselves.

    Examples
    --------
    >>> rows = [{"k": 2, "c_npmi": 0.1, "stability": 0.9}, {"k": 4, "c_npmi": 0.3, "stability": 0.8},
    ...         {"k": 6, "c_npmi": 0.2, "stability": 0.5}]
    >>> recommend_k(rows, metrics=("c_npmi", "stability"))
    4
    """
    if not rows:
        raise ConfigError("no K values were evaluated.")
    scores = np.zeros(len(rows))
    for m in metrics:
        vals = np.array([np.nan if r.get(m) is None else float(r[m]) for r in rows])
        if np.all(np.isnan(vals)):
            continue
        lo, hi = np.nanmin(vals), np.nanmax(vals)
        scaled = (vals - lo) / (hi - lo) if hi > lo else np.ones_like(vals)
        scores += np.nan_to_num(scaled, nan=0.0)
    best = max(range(len(rows)), key=lambda i: (round(scores[i], 12), -rows[i]["k"]))
    return int(rows[best]["k"])


def sweep_topics(
    docs: Sequence[Any],
    *,
    estimator: Any,
    k_values: Sequence[int],
    seeds: Sequence[int],
    topn: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Fit ``estimator`` for every K and seed; report coherence, diversity and stability per K.

    Parameters
    ----------
    docs
        The documents: analyses, topic documents or texts.
    estimator
        An unfitted :class:`LdaTopics` or :class:`NmfTopics`; cloned with ``n_topics=k, random_state=seed``.
    k_values
        Topic numbers to try.
    seeds
        Random seeds; coherence and diversity are averaged over them, stability compares them (needs two or more).
    topn
        Top words per topic for coherence and stability (diversity uses the top 25).
    progress
        Called as ``progress(done, total)`` after each fitted model (``total`` = K values x seeds).
    """
    docs = check_documents(docs)  # analysed once for every K and seed
    if len(seeds) < 1:
        raise ConfigError("a sweep needs at least one seed.")
    texts = estimator.terms(docs)
    rows, runs = [], {}
    ks = sorted({int(k) for k in k_values})
    done = 0
    for k in ks:
        per_seed, npmi, cv, div, secs = [], [], [], [], []
        for seed in seeds:
            model = clone(estimator).set_params(n_topics=k, random_state=int(seed))
            t0 = time.perf_counter()
            model.fit(docs)
            secs.append(time.perf_counter() - t0)
            top = [[w for w, _ in t] for t in model.top_words(max(topn, 25))]
            per_seed.append([t[:topn] for t in top])
            npmi.append(coherence(top, texts, measure="c_npmi", topn=topn)[0])
            cv.append(coherence(top, texts, measure="c_v", topn=topn)[0])
            div.append(topic_diversity(top, topn=25))
            done += 1
            if progress is not None:
                progress(done, len(ks) * len(seeds))
        rows.append(
            {
                "k": k,
                "c_npmi": round(float(np.mean(npmi)), 6),
                "c_v": round(float(np.mean(cv)), 6),
                "diversity": round(float(np.mean(div)), 6),
                "stability": round(topic_stability(per_seed, topn=topn), 6) if len(seeds) > 1 else None,
                "fit_seconds": float(np.median(secs)),
            }
        )
        runs[k] = per_seed
    return SweepResult(rows=rows, recommended_k=recommend_k(rows), seeds=[int(s) for s in seeds], runs=runs)
