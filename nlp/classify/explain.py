"""Explanations for a linear auto-coder: top features per code, and the words that drove one prediction.

A code's decision value is a sum over features of ``tfidf(feature) * weight(feature)``, so each feature's share is
exact. Character n-gram shares are handed to the words of the text they came from (split equally when a n-gram occurs
in several words), so a user sees words, not fragments. Both functions show words as a researcher reads them: the
model's surface-word marker (``=vi``) is dropped (a surface word and its lemma are one entry), function words (og, vi,
av, det ...) are left out except negations, which carry polarity, and a character n-gram of the top features is
shown as the model's highest-weighted word that contains it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..features import Analysis, as_analyses
from ..lang.polarity import NEGATIONS
from ..model import POLARITY_PREFIX
from ..normalise.tokens import stop_words

__all__ = ["explain", "readable_term", "top_features"]

_STRIP = re.compile(r"^\W+|\W+$")
#: What the polarity model's extra cue columns mean, in words.
_CUE_LABELS = {
    "cue:driver": "driver cue words",
    "cue:barrier": "barrier cue words",
    "cue:negation": "a negated cue word",
    "cue:any_driver": "any driver cue word",
    "cue:any_barrier": "any barrier cue word",
    "cue:balance": "more driver than barrier cue words",
}
_FUNCTION_WORDS: frozenset[str] | None = None


def _function_words() -> frozenset[str]:
    global _FUNCTION_WORDS
    if _FUNCTION_WORDS is None:  # nb, nn and da function words, negations kept (they carry polarity)
        _FUNCTION_WORDS = frozenset().union(*(stop_words(lang) for lang in ("nb", "nn", "da"))) - set(
            NEGATIONS
        )
    return _FUNCTION_WORDS


def readable_term(term: str) -> str | None:
    """A word feature as a researcher reads it, or None for a function word (or a phrase of function words only).

    ``w:`` word features lose the surface marker ``=`` and the function words at their edges; tokens without a
    letter or of one character are dropped; ``x:`` cue columns are named in words; character n-grams (``c:``) are
    returned as the bare fragment (:func:`top_features` shows a word containing it instead).

    Examples
    --------
    >>> readable_term("w:=vi"), readable_term("w:=vi =av"), readable_term("w:=deler"), readable_term("w:=ikke")
    (None, None, 'deler', 'ikke')
    >>> readable_term("w:=som =bedrifter"), readable_term("w:c"), readable_term("w:30")
    ('bedrifter', None, None)
    >>> readable_term("w:kunnskap deling"), readable_term("x:cue:barrier")
    ('kunnskap deling', 'barrier cue words')
    """
    kind, _, body = term.partition(":")
    if kind == "x":
        return _CUE_LABELS.get(body, body.replace("_", " "))
    if kind == "c":
        return body.strip() or None
    words = [w.lstrip("=") for w in body.split()]
    fw = _function_words()
    while words and (words[0] in fw or not _is_word(words[0])):  # "som bedrifter" -> "bedrifter"
        words.pop(0)
    while words and (words[-1] in fw or not _is_word(words[-1])):
        words.pop()
    return " ".join(words) or None


def _is_word(token: str) -> bool:
    """At least two characters and a letter: not "c", "30" or "-"."""
    return len(token) > 1 and any(ch.isalpha() for ch in token)


def _gram_word(gram: str, words: list[tuple[int, str]], w: np.ndarray) -> str | None:
    """The highest-weighted vocabulary word that contains character n-gram ``gram`` (spaces mark word edges)."""
    core = gram.strip()
    best = None
    for j, word in words:
        if core not in word:
            continue
        if (
            gram.startswith(" ")
            and not word.startswith(core)
            or gram.endswith(" ")
            and not word.endswith(core)
        ):
            continue
        if best is None or w[j] > w[best[0]]:
            best = (j, word)
    return best[1] if best else None


def top_features(model: Any, *, n: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The ``n`` words with the largest positive weight for each code and each polarity value, as people read them.

    No surface-marker notation (``=vi``) and no function words (negations stay); a character n-gram is shown as the
    model's highest-weighted word containing it (left out when no word contains it); each word once, with the
    largest weight it has.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["vi deler kunnskap", "vi har konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> sorted(w for w, _ in top_features(m, n=3)["ks"])
    ['deler', 'deler kunnskap', 'kunnskap']
    """
    out: dict[str, list[tuple[str, float]]] = {}
    rows = [(c, model.concepts.coef_[j], model.concepts) for j, c in enumerate(model.classes_)]
    rows += [
        (POLARITY_PREFIX + p, model.polarity.coef_[j], model.polarity)
        for j, p in enumerate(model.polarity_classes_)
    ]
    vocab_words: dict[int, tuple[list[str], list[tuple[int, str]]]] = {}  # per estimator, computed once
    for name, w, est in rows:
        if id(est) not in vocab_words:
            names = est.feature_names_
            vocab_words[id(est)] = (
                names,
                [
                    (j, t[2:].lstrip("="))
                    for j, t in enumerate(names)
                    if t.startswith("w:")
                    and " " not in t
                    and t[2:].lstrip("=") not in _function_words()
                    and _is_word(t[2:].lstrip("="))
                ],
            )
        vocab, words = vocab_words[id(est)]
        shown: dict[str, float] = {}
        for i in np.lexsort((np.arange(len(w)), -w)):
            if w[i] <= 0 or len(shown) >= n:
                break
            label = readable_term(vocab[i])
            if label is not None and vocab[i].startswith("c:"):  # a fragment no word contains is left out
                label = _gram_word(vocab[i][2:], words, w)
            if label is not None and label not in shown:
                shown[label] = round(float(w[i]), 4)
        out[name] = list(shown.items())
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
                if key not in _function_words():
                    shares[key] = shares.get(key, 0.0) + c / max(len(owners), 1)
        else:
            key = readable_term(term)
            if key is not None:  # function words are left out; "=deler" and "deler" are one word
                shares[key] = shares.get(key, 0.0) + c
    return shares


def explain(
    model: Any, text: str | Analysis, *, n: int = 8, codes: list[str] | None = None
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
        ((pred_codes, pol),) = model.predict([analysis])
        codes = list(pred_codes)
        if pol is not None:
            codes.append(POLARITY_PREFIX + pol)
    out: dict[str, list[tuple[str, float]]] = {}
    for code in codes:
        if code.startswith(POLARITY_PREFIX):
            est, w = (
                model.polarity,
                model.polarity.coef_[model.polarity_classes_.index(code[len(POLARITY_PREFIX) :])],
            )
        else:
            est, w = model.concepts, model.concepts.coef_[model.classes_.index(code)]
        shares = _contributions(est.feature_names_, rows[est], w, words)
        ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
        out[code] = [(k, round(v, 4)) for k, v in ranked[:n] if v > 0]
    return out
