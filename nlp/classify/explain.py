"""Explanations for a linear auto-coder: top features per code, and the words that drove one prediction.

A code's decision value is a sum over features of ``tfidf(feature) * weight(feature)``, so each feature's share is
exact. Character n-gram shares are handed to the words of the text they came from (split equally when a n-gram occurs
in several words), so a user sees words, not fragments.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..model import POLARITY_PREFIX

__all__ = ["explain", "top_features"]

_STRIP = re.compile(r"^\W+|\W+$")


def _label(term: str) -> str:
    kind, _, body = term.partition(":")
    return f"*{body.strip()}*" if kind == "c" else body


def _names(model: Any) -> list[str]:
    # TF-IDF vocabulary, then the model's extra dense columns (polarity cues), shown as e.g. "cue:barrier"
    return [*model.vectorizer_.vocabulary_, *("x:" + n for n in getattr(model, "extra_features_", []))]


def top_features(model: Any, *, n: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The ``n`` features with the largest positive weight for each code and each polarity value.

    Word (lemma) features are shown as they are; character n-grams between asterisks (``*kunn*``).

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder(word_analyzer="simple", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> sorted(w for w, _ in top_features(m, n=3)["ks"])
    ['deler', 'deler kunnskap', 'kunnskap']
    """
    vocab = _names(model)
    out: dict[str, list[tuple[str, float]]] = {}
    rows = [(c, model.coef_[j]) for j, c in enumerate(model.classes_)]
    rows += [(POLARITY_PREFIX + p, model.polarity_coef_[j]) for j, p in enumerate(model.polarity_classes_)]
    for name, w in rows:
        order = np.lexsort((np.arange(len(w)), -w))[:n]
        out[name] = [(_label(vocab[i]), round(float(w[i]), 4)) for i in order if w[i] > 0]
    return out


def _contributions(model: Any, x_row, weights: np.ndarray, text: str) -> dict[str, float]:
    vocab = _names(model)
    words = [w for w in text.lower().split()]
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


def explain(model: Any, text: str, *, n: int = 8, codes: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
    """For each predicted code (or ``codes``) and the predicted polarity: the ``n`` words that pushed most towards it.

    Values are contributions to the code's decision value (before calibration); positive = towards the code. For
    polarity they are taken over the whole text, also when the model pools sentences (``polarity_pooling_``): the
    words of its most polar sentence are among them, with the same weights.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder(word_analyzer="simple", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> explain(m, "vi deler kunnskap")["ks"][0][0] in {"deler", "kunnskap"}
    True
    """
    x = model.transform([text])
    row = x[0]
    if codes is None:
        (pred_codes, pol), = model.predict([text])
        codes = list(pred_codes)
        if pol is not None:
            codes.append(POLARITY_PREFIX + pol)
    out: dict[str, list[tuple[str, float]]] = {}
    for code in codes:
        if code.startswith(POLARITY_PREFIX):
            w = model.polarity_coef_[model.polarity_classes_.index(code[len(POLARITY_PREFIX):])]
        else:
            w = model.coef_[model.classes_.index(code)]
        shares = _contributions(model, row, w, text)
        ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
        out[code] = [(k, round(v, 4)) for k, v in ranked[:n] if v > 0]
    return out
