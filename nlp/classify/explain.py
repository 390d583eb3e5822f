"""Explanations for a linear auto-coder: top features per code, and the words that drove one prediction.

A code's decision value is a sum over features of ``tfidf(feature) * weight(feature)``, so each feature's share is
exact. Character n-gram shares are handed to the words of the text they came from (split equally when a n-gram occurs
in several words), so a user sees words, not fragments.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..features import Analysis, as_analyses
from ..model import POLARITY_PREFIX

__all__ = ["explain", "top_features"]

_STRIP = re.compile(r"^\W+|\W+$")


def _label(term: str) -> str:
    kind, _, body = term.partition(":")
    return f"*{body.strip()}*" if kind == "c" else body


def top_features(model: Any, *, n: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The ``n`` features with the largest positive weight for each code and each polarity value.

    Word (lemma) features are shown as they are; character n-grams between asterisks (``*kunn*``).

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> sorted(w for w, _ in top_features(m, n=3)["ks"])
    ['deler', 'deler kunnskap', 'kunnskap']
    """
    out: dict[str, list[tuple[str, float]]] = {}
    rows = [(c, model.concepts.coef_[j], model.concepts) for j, c in enumerate(model.classes_)]
    rows += [(POLARITY_PREFIX + p, model.polarity.coef_[j], model.polarity)
             for j, p in enumerate(model.polarity_classes_)]
    for name, w, est in rows:
        vocab = est.feature_names_
        order = np.lexsort((np.arange(len(w)), -w))[:n]
        out[name] = [(_label(vocab[i]), round(float(w[i]), 4)) for i in order if w[i] > 0]
    return out


def _contributions(vocab: list[str], x_row, weights: np.ndarray, words: list[str]) -> dict[str, float]:
    shares: dict[str, float] = {}
    for j, v in zip(x_row.indices, x_row.data):
        c = float(v * weights[j])
        if c == 0.0:
            continue
        term = vocab[j]
        if term.startswith("c:"):
            gram = term[2:]
            owners = [w for w in words if gram in f" {w} "]
            for w in owners or [gram.strip()]:
                key = _STRIP.sub("", w) or w
                shares[key] = shares.get(key, 0.0) + c / max(len(owners), 1)
        else:
            key = term[2:]
            shares[key] = shares.get(key, 0.0) + c
    return shares


def explain(model: Any, text: str | Analysis, *, n: int = 8, codes: list[str] | None = None
            ) -> dict[str, list[tuple[str, float]]]:
    """For each predicted code (or ``codes``) and the predicted polarity: the ``n`` words that pushed most towards it.

    Values are contributions to the code's decision value (before calibration); positive = towards the code. For
    polarity they are taken over the whole text, also when the model pools sentences (``polarity_pooling_``): the
    words of its most polar sentence are among them, with the same weights.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> explain(m, "vi deler kunnskap")["ks"][0][0] in {"deler", "kunnskap"}
    True
    """
    (analysis,) = as_analyses([text], lang=model.concepts.lang)
    words = analysis.surface_words()
    rows = {est: est.transform([analysis])[0] for est in (model.concepts, model.polarity)}
    if codes is None:
        (pred_codes, pol), = model.predict([analysis])
        codes = list(pred_codes)
        if pol is not None:
            codes.append(POLARITY_PREFIX + pol)
    out: dict[str, list[tuple[str, float]]] = {}
    for code in codes:
        if code.startswith(POLARITY_PREFIX):
            est, w = model.polarity, model.polarity.coef_[model.polarity_classes_.index(code[len(POLARITY_PREFIX):])]
        else:
            est, w = model.concepts, model.concepts.coef_[model.classes_.index(code)]
        shares = _contributions(est.feature_names_, rows[est], w, words)
        ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
        out[code] = [(k, round(v, 4)) for k, v in ranked[:n] if v > 0]
    return out
