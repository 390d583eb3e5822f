"""Seed words for guided topics, taken from the codebook and from the researcher's manual coding.

For every code: its names (all languages) and definition run through the analyzer, its cue words, and the words that
distinguish the units coded with it from the other units - the weighted log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22). Seed words that do not occur in the modelled
texts are harmless: the model ignores words outside its vocabulary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from ..codebook import Codebook
from ..errors import InputError
from ..features import Analysis, analyse_texts, as_analyses

__all__ = ["codebook_seed_topics", "distinctive_words"]


def distinctive_words(
    texts: Sequence[Sequence[str]],
    labels: Sequence[Collection[str]],
    *,
    n: int = 10,
    min_count: int = 2,
    z_min: float = 1.96,
    prior: float = 10.0,
) -> dict[str, list[str]]:
    """Words that mark the texts of each label against all other texts (weighted log-odds, z-scores).

    Each word goes to the label where its z-score is highest, so one frequent word does not seed many topics.

    Parameters
    ----------
    texts
        Tokenised texts.
    labels
        The labels (codes) of each text; a text may have several or none.
    n
        At most this many words per label, best first.
    min_count
        A word must occur at least this often in the label's texts.
    z_min
        Minimum z-score (1.96: two-sided 5 % level).
    prior
        Total pseudo-count of the informative prior (spread by overall word frequency).

    Examples
    --------
    >>> texts = [["fisk", "båt"], ["fisk", "hav"], ["data", "sky"], ["data", "program"]] * 5
    >>> labels = [{"fiske"}, {"fiske"}, {"digital"}, {"digital"}] * 5
    >>> distinctive_words(texts, labels, n=1)
    {'digital': ['data'], 'fiske': ['fisk']}
    """
    if len(texts) != len(labels):
        raise InputError(f"{len(texts)} texts but {len(labels)} label sets.")
    total = Counter(w for t in texts for w in t)
    n_total = sum(total.values())
    if not n_total:
        return {}
    alpha = {w: prior * c / n_total for w, c in total.items()}
    best: dict[str, tuple[float, str]] = {}
    for label in sorted({lab for ls in labels for lab in ls}):
        inside = Counter(w for t, ls in zip(texts, labels) if label in ls for w in t)
        n_in = sum(inside.values())
        n_out = n_total - n_in
        for w, y_in in inside.items():
            if y_in < min_count:
                continue
            y_out, a = total[w] - y_in, alpha[w]
            delta = np.log((y_in + a) / (n_in + prior - y_in - a)) - np.log(
                (y_out + a) / (n_out + prior - y_out - a)
            )
            z = float(delta / np.sqrt(1.0 / (y_in + a) + 1.0 / (y_out + a)))
            if z >= z_min and (w not in best or (z, label) > (best[w][0], best[w][1])):
                best[w] = (z, label)
    out: dict[str, list[tuple[float, str]]] = {}
    for w, (z, label) in best.items():
        out.setdefault(label, []).append((-z, w))
    return {label: [w for _, w in sorted(ws)[:n]] for label, ws in sorted(out.items())}


def codebook_seed_topics(
    codebook: Codebook,
    *,
    analyzer: Callable[[Analysis], list[str]],
    documents: Sequence[Any] | None = None,
    labels: Sequence[Collection[str]] | None = None,
    n_learned: int = 10,
    use_definitions: bool = True,
) -> dict[str, list[str]]:
    """Seed words per code of ``codebook``, for ``LdaTopics(seed_topics=...)``.

    Parameters
    ----------
    codebook
        The codebook; every code becomes a seed topic, in codebook order.
    analyzer
        The topic model's terms of an analysis (``model.build_vectorizer().terms``), so seed words are lemmas like
        the model's vocabulary; the codebook's names, definitions and cues are analysed (:func:`nlp.features.
        analyse_texts`) and go through it too.
    documents, labels
        Optionally, the coded documents (analyses, topic documents or texts) and each one's codes (one coder's);
        adds the ``n_learned`` most distinctive words of each code (see :func:`distinctive_words`).
    use_definitions
        Also analyse the code definitions (which may be in another language than the interviews).

    Returns
    -------
    dict
        code id -> sorted seed words (codes without any seed word are left out).

    Examples
    --------
    >>> from nlp.codebook import Code, Codebook
    >>> cb = Codebook(name="cb", codes=(Code(id="fiske", names={"nb": "Fiske"}, cues=("torsk",)),))
    >>> codebook_seed_topics(cb, analyzer=lambda a: a.content_lemmas())
    {'fiske': ['fiske', 'torsk']}
    """
    learned: dict[str, list[str]] = {}
    if documents is not None:
        analyses = as_analyses(documents)
        if labels is None or len(labels) != len(analyses):
            raise InputError("learning seed words from the coding needs one label set per document.")
        learned = distinctive_words([list(analyzer(a)) for a in analyses], labels, n=n_learned)

    def terms(text: str) -> list[str]:
        return list(analyzer(analyse_texts([text])[0]))

    out: dict[str, list[str]] = {}
    for code in codebook:
        words: set[str] = set()
        for name in code.names.values():
            words.update(terms(name))
        if use_definitions and code.definition:
            words.update(terms(code.definition))
        for cue in code.cues:
            words.update(terms(cue.replace("*", "")))
        words.update(learned.get(code.id, ()))
        if words:
            out[code.id] = sorted(words)
    return out
