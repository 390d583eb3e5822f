"""Readable, citable topic summaries: labels, top words, representative excerpts, prevalence and code association.

Everything here is plain data (dicts, lists, floats rounded to 6 decimals) so the same input and seed give
byte-identical JSON and CSV output.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from .documents import TopicDocument
from .quality import coherence, topic_diversity

__all__ = ["PREVALENCE_BY", "TopicSummary", "summarize_topics", "weighted_nmi"]

#: Prevalence tables: name -> the document attribute that names the group.
PREVALENCE_BY = {"transcript": "transcript_id", "informant": "speaker", "case": "group", "language": "lang"}
UNKNOWN = "(unknown)"


def _r(x: float) -> float:
    return round(float(x), 6)


def weighted_nmi(a: Sequence[Any], b: Sequence[Any], weights: Sequence[float] | None = None) -> float:
    """Normalised mutual information of two labelings, each pair counted with a weight (arithmetic-mean norm).

    With unit weights this equals ``sklearn.metrics.normalized_mutual_info_score``. Weights let a unit with several
    codes count once in total (1/n for each of its n codes).

    Examples
    --------
    >>> round(weighted_nmi([0, 0, 1, 1], ["a", "a", "b", "b"]), 6)
    1.0
    """
    if len(a) != len(b):
        raise InputError(f"{len(a)} and {len(b)} labels cannot be compared.")
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(a) == 0 or w.sum() <= 0:
        return 0.0
    ai = {v: i for i, v in enumerate(sorted(set(a), key=str))}
    bi = {v: i for i, v in enumerate(sorted(set(b), key=str))}
    table = np.zeros((len(ai), len(bi)))
    for x, y, wt in zip(a, b, w):
        table[ai[x], bi[y]] += wt
    p = table / table.sum()
    pa, pb = p.sum(axis=1), p.sum(axis=0)

    def h(q: np.ndarray) -> float:
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    ha, hb = h(pa), h(pb)
    if ha == 0.0 and hb == 0.0:
        return 1.0  # both labelings are constant: identical partitions (sklearn's convention)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum())
    return max(0.0, mi / ((ha + hb) / 2.0)) if ha + hb > 0 else 0.0


@dataclass
class TopicSummary:
    """A fitted topic model described for people: one dict per topic plus tables. ``to_dict()`` is JSON-ready."""

    model: dict[str, Any]
    topics: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    prevalence: dict[str, dict[str, Any]]
    codes: dict[str, Any]
    quality: dict[str, Any]
    n_documents: int
    n_empty_documents: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "n_documents": self.n_documents,
            "n_empty_documents": self.n_empty_documents,
            "quality": self.quality,
            "topics": self.topics,
            "prevalence": self.prevalence,
            "codes": self.codes,
            "documents": self.documents,
            **self.extra,
        }


def _bigrams(tokens: list[list[str]], theta_k: np.ndarray, n: int, distinct: np.ndarray) -> list[str]:
    total: Counter[tuple[str, str]] = Counter()
    weighted: dict[tuple[str, str], float] = {}
    for toks, w, first in zip(tokens, theta_k, distinct):
        if not first:  # a restated excerpt (same text again) must not make its bigrams look frequent
            continue
        for bg in itertools.pairwise(toks):
            if bg[0] == bg[1]:
                continue
            total[bg] += 1
            weighted[bg] = weighted.get(bg, 0.0) + float(w)
    # weighted count times the share of the bigram's uses that fall in this topic
    scored = sorted((-(weighted[bg] ** 2) / total[bg], bg) for bg in total if total[bg] >= 2)
    return [" ".join(bg) for _, bg in scored[:n]]


def _relevance(model: Any, tokens: list[list[str]], n: int, *, lam: float = 0.6) -> list[list[str]]:
    """Words ranked by relevance (Sievert & Shirley 2014, lambda 0.6): probability in the topic, discounted by
    the word's overall frequency, so a label is not the same three frequent words for every topic."""
    vocab = model.vocabulary_
    freq = np.zeros(len(vocab))
    for toks in tokens:
        for w in toks:
            j = vocab.get(w)
            if j is not None:
                freq[j] += 1
    p_w = (freq + 1e-12) / (freq.sum() + 1e-12 * len(freq))
    tw = np.clip(model.topic_word_, 1e-12, None)
    rel = lam * np.log(tw) + (1 - lam) * np.log(tw / p_w)
    names = model.feature_names_
    return [[str(names[j]) for j in np.lexsort((names, -row))[:n]] for row in rel]


def summarize_topics(
    model: Any,
    documents: Sequence[TopicDocument],
    *,
    coder: str | None = "coder1",
    n_words: int = 10,
    n_excerpts: int = 5,
    min_excerpt_words: int = 5,
    code_names: dict[str, str] | None = None,
    stability: float | None = None,
) -> TopicSummary:
    """Describe a fitted topic model on its documents.

    Parameters
    ----------
    model
        A fitted :class:`LdaTopics` or :class:`NmfTopics`.
    documents
        The documents it was fitted on (:func:`make_documents`).
    coder
        Whose manual codes to compare the topics with (``None``: skip the comparison).
    n_words, n_excerpts
        Top words and representative excerpts per topic.
    min_excerpt_words
        Prefer excerpts with at least this many vocabulary words (very short fragments get extreme topic weights).
    code_names
        Display names of codes (code id -> name) for the tables.
    stability
        Stability across seeds, if measured (:func:`sweep_topics`), to report beside coherence.
    """
    if not documents:
        raise InputError("there are no documents to summarise.")
    texts = [d.text for d in documents]
    tokens = model.terms(documents)
    vocab = model.vocabulary_
    in_vocab = np.array([sum(1 for w in t if w in vocab) for t in tokens])
    keep = in_vocab > 0
    theta = model.transform(documents)
    K = theta.shape[1]
    dominant = theta.argmax(axis=1)
    top = model.top_words(max(n_words, 25))
    top_lists = [[w for w, _ in t] for t in top]
    kept_tokens = [t for t, k in zip(tokens, keep) if k]
    npmi_mean, npmi = coherence(top_lists, kept_tokens, measure="c_npmi", topn=n_words)
    cv_mean, cv = coherence(top_lists, kept_tokens, measure="c_v", topn=n_words)
    names = list(getattr(model, "topic_names_", [None] * K))
    seen: set[str] = set()
    distinct = np.zeros(len(texts), dtype=bool)
    for i, t in enumerate(texts):
        key = " ".join(t.lower().split())
        distinct[i] = key not in seen
        seen.add(key)
    relevant = _relevance(model, tokens, n_words)
    code_names = dict(code_names or {})

    # --- association with the manual codes ---------------------------------------------------------------------
    codes_info: dict[str, Any] = {"coder": coder}
    if coder is not None:
        doc_codes = [sorted(d.concepts(coder)) for d in documents]
        all_codes = sorted({c for cs in doc_codes for c in cs})
        order = [c for c in code_names if c in all_codes] + [c for c in all_codes if c not in code_names]
        mean_theta = theta[keep].mean(axis=0) if keep.any() else np.full(K, 1.0 / K)
        table, lift, counts = [], [], []
        for c in order:
            rows = np.array([c in cs and k for cs, k in zip(doc_codes, keep)])
            counts.append(int(rows.sum()))
            m = theta[rows].mean(axis=0) if rows.any() else np.zeros(K)
            table.append([_r(x) for x in m])
            lift.append([_r(x / y) if y > 0 else 0.0 for x, y in zip(m, mean_theta)])
        a, b, w = [], [], []
        for i, cs in enumerate(doc_codes):
            if keep[i] and cs:
                for c in cs:
                    a.append(int(dominant[i]))
                    b.append(c)
                    w.append(1.0 / len(cs))
        codes_info.update(
            {
                "codes": order,
                "names": {c: code_names.get(c, c) for c in order},
                "n_documents": counts,
                "mean_topic_weight": table,
                "lift": lift,
                "n_coded_documents": int(sum(1 for i, cs in enumerate(doc_codes) if keep[i] and cs)),
                "nmi": _r(weighted_nmi(a, b, w)) if a else None,
                "note": "mean_topic_weight[c][k]: mean weight of topic k in the documents coded c; lift: that divided by "
                "topic k's mean weight in all documents; nmi: dominant topic vs code, each document weighted "
                "1/(number of its codes).",
            }
        )

    # --- topics -----------------------------------------------------------------------------------------------
    topics = []
    for k in range(K):
        words = top[k][:n_words]
        bigrams = _bigrams(tokens, theta[:, k] * keep, 3, distinct)
        label = " · ".join(relevant[k][:3]) + (f" ({bigrams[0]})" if bigrams else "")
        if names[k]:
            label = f"[{code_names.get(names[k], names[k])}] {label}"
        order = sorted(
            np.flatnonzero(keep & distinct), key=lambda i: (in_vocab[i] < min_excerpt_words, -theta[i, k], i)
        )
        excerpts = [
            {
                "doc_id": documents[i].id,
                "transcript_id": documents[i].transcript_id,
                "speaker": documents[i].speaker,
                "source": documents[i].source,
                "group": documents[i].group,
                "lang": documents[i].lang,
                "start": documents[i].start,
                "end": documents[i].end,
                "weight": _r(theta[i, k]),
                "text": documents[i].text,
            }
            for i in order[:n_excerpts]
        ]
        entry = {
            "id": k,
            "label": label,
            "seed": names[k],
            "words": [{"word": w, "weight": _r(p)} for w, p in words],
            "distinctive_words": relevant[k],
            "bigrams": bigrams,
            "prevalence": _r(theta[keep, k].mean()) if keep.any() else 0.0,
            "n_dominant": int(((dominant == k) & keep).sum()),
            "c_npmi": _r(npmi[k]),
            "c_v": _r(cv[k]),
            "excerpts": excerpts,
        }
        if coder is not None and codes_info.get("codes"):
            ranked = sorted(range(len(codes_info["codes"])), key=lambda j: (-codes_info["lift"][j][k], j))
            entry["top_codes"] = [
                {"code": codes_info["codes"][j], "lift": codes_info["lift"][j][k]}
                for j in ranked[:3]
                if codes_info["n_documents"][j] > 0
            ]
        topics.append(entry)

    # --- prevalence ---------------------------------------------------------------------------------------------
    prevalence: dict[str, dict[str, Any]] = {}
    for by, attr in PREVALENCE_BY.items():
        groups: dict[str, list[int]] = {}
        for i, d in enumerate(documents):
            if keep[i]:
                groups.setdefault(str(getattr(d, attr) or UNKNOWN), []).append(i)
        prevalence[by] = {
            g: {"n_documents": len(ix), "weights": [_r(x) for x in theta[ix].mean(axis=0)]}
            for g, ix in sorted(groups.items())
        }

    docs_out = [
        {
            "id": d.id,
            "transcript_id": d.transcript_id,
            "group": d.group,
            "speaker": d.speaker,
            "lang": d.lang,
            "n_words": int(in_vocab[i]),
            "dominant_topic": int(dominant[i]) if keep[i] else None,
            "weights": [_r(x) for x in theta[i]],
        }
        for i, d in enumerate(documents)
    ]
    params = {k: v for k, v in model.get_params().items() if k not in ("analyzer", "seed_topics")}
    model_info = {
        "type": type(model).__name__,
        "n_topics": K,
        "params": params,
        "vocabulary_size": len(model.feature_names_),
        "seed_words": dict(getattr(model, "seed_words_used_", {})),
    }
    quality = {
        "c_npmi": _r(npmi_mean),
        "c_v": _r(cv_mean),
        "diversity": _r(topic_diversity(top_lists, topn=25)),
        "stability": stability,
        "reference": "coherence on the modelled documents' own lemmas (gensim CoherenceModel)",
    }
    return TopicSummary(
        model=model_info,
        topics=topics,
        documents=docs_out,
        prevalence=prevalence,
        codes=codes_info,
        quality=quality,
        n_documents=len(documents),
        n_empty_documents=int((~keep).sum()),
    )
