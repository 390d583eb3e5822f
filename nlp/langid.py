"""Language identification among nb, nn, da, sv and en: a character n-gram naive Bayes, fast per word.

The profiles (``nlp/lang/langid.json``) hold counts of character 3-5-grams of space-padded lower-cased words, built
by ``scripts/build_lang_data.py`` from UD dev splits, LIA train+dev, the Danish LCC sentences and wordfreq lists
(never from the UD test splits that ``bench/lemmas.py`` measures on). A word's log-likelihood under each language is
computed once and cached, so scoring a turn costs one dictionary lookup per word plus a sum.

Spoken Norwegian and Danish mix, and short turns ("ja", "mm") carry no evidence: :func:`identify_language` takes a
``prior`` (the transcript's language) that a turn keeps unless its own evidence against it is clear.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .lang import DATA_DIR, LANGS

__all__ = [
    "LanguageIdentifier",
    "char_ngrams",
    "identify_document",
    "identify_language",
    "language_scores",
    "word_forms",
]

#: n-gram orders of the profiles (1- and 2-grams add nothing measurable on the dev splits and cost time)
NGRAM_ORDERS = (3, 4, 5)
#: log-likelihood margin (nats) a turn needs to leave the transcript's language (tuned on held-out halves of UD dev)
SWITCH_MARGIN = 8.0
#: log-prior per word (nats) added to a language's score: nynorsk has far less training text than bokmål, so its
#: n-gram profile is sparser; 0.1 balances nb and nn accuracy on held-out halves of the UD dev splits
WORD_BIAS = {"nn": 0.1}

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def word_forms(text: str) -> list[str]:
    """Lower-cased letter words of ``text`` (what language id looks at).

    Examples
    --------
    >>> word_forms("Eg veit ikkje, 3 gonger!")
    ['eg', 'veit', 'ikkje', 'gonger']
    """
    return _WORD.findall(text.lower())


def char_ngrams(word: str) -> list[str]:
    """Character 3-5-grams of a word padded with one space on each side.

    Examples
    --------
    >>> char_ngrams("eg")
    [' eg', 'eg ', ' eg ']
    """
    p = f" {word} "
    n = len(p)
    return [p[i:i + k] for k in NGRAM_ORDERS for i in range(n - k + 1)]


class LanguageIdentifier:
    """Naive Bayes over character n-grams with cached per-word scores.

    Parameters
    ----------
    profiles
        ``{lang: {"ngrams": {gram: count}, "ngram_total": int}}``; ``None`` loads ``nlp/lang/langid.json``.
    langs
        Languages to choose among (a subset of the profiles), in tie-break order.
    alpha
        Additive smoothing of n-gram counts.
    """

    def __init__(self, profiles: dict | None = None, *, langs: Sequence[str] = LANGS, alpha: float = 0.1) -> None:
        if profiles is None:
            profiles = _load_profiles()
        self.langs = tuple(lang for lang in langs if lang in profiles)
        counts = [profiles[lang]["ngrams"] for lang in self.langs]
        v = len(set().union(*counts)) or 1
        denoms = [math.log(profiles[lang]["ngram_total"] + alpha * v) for lang in self.langs]
        unseen = tuple(math.log(alpha) - d for d in denoms)
        # one lookup per n-gram gives the log-probabilities of all languages at once; rows are computed when an
        # n-gram is first met (most of the profile's n-grams never are, and building them all took 0.5 s)
        self._table = _NgramTable(counts, denoms, unseen, alpha)
        self._unseen = unseen
        self._bias = tuple(WORD_BIAS.get(lang, 0.0) for lang in self.langs)
        self._cache: dict[str, tuple[float, ...]] = {}

    def word_scores(self, word: str) -> tuple[float, ...]:
        """Log-likelihood of a lower-cased word under each language, normalised by its n-gram count."""
        s = self._cache.get(word)
        if s is None:
            rows = list(map(self._table.__getitem__, char_ngrams(word)))
            scale = _weight(word) / len(rows)
            s = tuple(sum(col) * scale + bias for col, bias in zip(zip(*rows), self._bias))
            if len(self._cache) < 500_000:
                self._cache[word] = s
        return s

    def scores(self, words: Iterable[str]) -> tuple[float, ...]:
        """Summed per-word scores of lower-cased words (one value per language in :attr:`langs`)."""
        get = self._cache.get
        vectors = [get(w) or self.word_scores(w) for w in words]
        if not vectors:
            return (0.0,) * len(self.langs)
        return tuple(map(sum, zip(*vectors)))

    def identify(self, text: str, *, prior: str | None = None, default: str = "nb",
                 margin: float = SWITCH_MARGIN) -> str:
        """The most likely language of ``text``; ``prior`` is kept unless the evidence against it is clear."""
        return self.decide(self.scores(word_forms(text)), prior=prior, default=default, margin=margin)

    def decide(self, scores: Sequence[float], *, prior: str | None = None, default: str = "nb",
               margin: float = SWITCH_MARGIN) -> str:
        if not any(scores):
            return prior or default
        best = max(range(len(scores)), key=scores.__getitem__)
        if prior in self.langs and scores[best] - scores[self.langs.index(prior)] < margin:
            return prior
        return self.langs[best]


class _NgramTable(dict):
    """n-gram -> tuple of log-probabilities (one per language), filled on first use; unseen n-grams are not kept."""

    def __init__(self, counts: list[dict[str, int]], denoms: list[float], unseen: tuple[float, ...],
                 alpha: float) -> None:
        super().__init__()
        self.counts = counts
        self.denoms = denoms
        self.unseen = unseen
        self.alpha = alpha

    def __missing__(self, gram: str) -> tuple[float, ...]:
        found = [c.get(gram) for c in self.counts]
        if not any(n is not None for n in found):
            return self.unseen
        row = tuple(un if n is None else math.log(n + self.alpha) - d
                    for n, d, un in zip(found, self.denoms, self.unseen))
        self[gram] = row
        return row


def _weight(word: str) -> float:
    # a word's n-gram average times a weight growing with its length: long words carry more evidence,
    # without letting one long compound outvote the function words around it
    return math.log2(len(word) + 2)


@lru_cache(maxsize=1)
def _load_profiles() -> dict:
    path = DATA_DIR / "langid.json"
    if not path.exists():
        from .errors import ModelFileError

        raise ModelFileError(f"language profiles {path} are missing.",
                             fix="run scripts/build_lang_data.py (needs ../shared/data) or reinstall the package.")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["profiles"]


@lru_cache(maxsize=1)
def _default() -> LanguageIdentifier:
    return LanguageIdentifier()


def language_scores(text: str) -> dict[str, float]:
    """Per-language scores of ``text`` (higher is more likely; differences are log-likelihood ratios).

    Examples
    --------
    >>> s = language_scores("Eg veit ikkje kva eg skal seie.")
    >>> max(s, key=s.get)
    'nn'
    """
    ident = _default()
    return dict(zip(ident.langs, ident.scores(word_forms(text))))


def identify_language(text: str, *, prior: str | None = None, default: str = "nb") -> str:
    """Language of ``text``: one of ``nb``, ``nn``, ``da``, ``sv``, ``en``.

    Parameters
    ----------
    text
        A turn, a sentence or a whole document.
    prior
        The language of the surrounding transcript: kept unless the text's own evidence against it is clear
        (short turns such as "ja" or "mm" carry none).
    default
        Returned for text without any letters when no ``prior`` is given.

    Examples
    --------
    >>> identify_language("Jeg vet ikke hva jeg skal si.")
    'nb'
    >>> identify_language("Det ved jeg ikke, hvad synes du?")
    'da'
    >>> identify_language("ja", prior="nn")
    'nn'
    """
    return _default().identify(text, prior=prior, default=default)


def identify_document(texts: Iterable[str], *, default: str = "nb") -> tuple[str, list[str]]:
    """Language of a whole transcript (all its turns together) and of each turn given that prior.

    Examples
    --------
    >>> identify_document(["Eg veit ikkje kva eg skal seie.", "ja", "Det er ikkje lett."])
    ('nn', ['nn', 'nn', 'nn'])
    """
    ident = _default()
    per_turn = [ident.scores(word_forms(t)) for t in texts]
    total = tuple(map(math.fsum, zip(*per_turn))) if per_turn else ()
    doc = ident.decide(total, default=default) if per_turn else default
    return doc, [ident.decide(s, prior=doc, default=default) for s in per_turn]
