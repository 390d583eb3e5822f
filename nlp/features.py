"""Analyzers shared by topic models and the auto-coder: text -> content lemmas (and n-grams of them).

:func:`make_analyzer` returns a plain callable for scikit-learn's ``analyzer=`` and for gensim: content lemmas
only (no stop words, fillers, backchannels, discourse markers, punctuation or numbers), lower case, with
anonymisation placeholders (``[navn]``, ``[bedrift]``, ``XX``) kept as single tokens and never lemmatised.
Optional phrase detection (:func:`learn_phrases`, gensim Phrases) joins multiword names such as
``innovasjon_norge``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .normalise.preprocess import Preprocessor

__all__ = ["Analyzer", "learn_phrases", "make_analyzer"]


class Analyzer:
    """Callable text -> list of content lemmas (and their n-grams); picklable, comparable by its options.

    Parameters are those of :func:`make_analyzer`.
    """

    def __init__(self, *, lang: str | None = None, keep_stopwords: bool = False,
                 ngram_range: tuple[int, int] = (1, 1), harmonise: bool = False, keep_numbers: bool = False,
                 phrases: Any = None) -> None:
        lo, hi = ngram_range
        if not 1 <= lo <= hi:
            from .errors import ConfigError

            raise ConfigError(f"ngram_range {ngram_range!r} is not an increasing pair of positive integers.",
                              fix="use e.g. (1, 1) for single lemmas or (1, 2) for lemmas and lemma pairs.")
        self.lang = lang
        self.keep_stopwords = keep_stopwords
        self.ngram_range = (lo, hi)
        self.harmonise = harmonise
        self.keep_numbers = keep_numbers
        self.phrases = phrases
        self._pre = Preprocessor(lang=lang, keep_stopwords=keep_stopwords, keep_numbers=keep_numbers,
                                 harmonise=harmonise)

    def __call__(self, text: str) -> list[str]:
        lemmas = self._pre.analyze(text)
        if self.phrases is not None:
            lemmas = list(self.phrases[lemmas])
        lo, hi = self.ngram_range
        if hi == 1:
            return lemmas
        out = lemmas[:] if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            out.extend(" ".join(lemmas[i:i + n]) for i in range(len(lemmas) - n + 1))
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_pre"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pre = Preprocessor(lang=self.lang, keep_stopwords=self.keep_stopwords,
                                 keep_numbers=self.keep_numbers, harmonise=self.harmonise)

    def __repr__(self) -> str:
        return (f"Analyzer(lang={self.lang!r}, keep_stopwords={self.keep_stopwords}, "
                f"ngram_range={self.ngram_range}, harmonise={self.harmonise})")


def make_analyzer(*, lang: str | None = None, keep_stopwords: bool = False, ngram_range: tuple[int, int] = (1, 1),
                  harmonise: bool = False, keep_numbers: bool = False,
                  phrases: Any = None) -> Callable[[str], list[str]]:
    """An analyzer: text -> content lemmas, for ``CountVectorizer(analyzer=...)`` and gensim dictionaries.

    Parameters
    ----------
    lang
        ``nb``, ``nn``, ``da``, ``sv`` or ``en``; ``None`` identifies the language of each text.
    keep_stopwords
        Keep stop words (fillers and punctuation are dropped regardless).
    ngram_range
        ``(min_n, max_n)`` of lemma n-grams, joined with a space (as scikit-learn does).
    harmonise
        Map frequent nynorsk lemmas to bokmål ones, so nb and nn texts share a vocabulary.
    keep_numbers
        Keep numbers as tokens.
    phrases
        A trained ``gensim.models.phrases.Phrases``/``FrozenPhrases`` (see :func:`learn_phrases`) applied to the
        lemmas before n-grams.

    Examples
    --------
    >>> analyzer = make_analyzer(lang="nb")
    >>> analyzer("Ehm, [navn] sa at bedriftene liksom samarbeider godt med Innovasjon Norge.")
    ['[navn]', 'si', 'bedrift', 'samarbeide', 'god', 'innovasjon', 'norge']
    >>> make_analyzer(lang="nb", ngram_range=(1, 2))("gode nettverk i klyngen")
    ['god', 'nettverk', 'klynge', 'god nettverk', 'nettverk klynge']
    """
    return Analyzer(lang=lang, keep_stopwords=keep_stopwords, ngram_range=ngram_range, harmonise=harmonise,
                    keep_numbers=keep_numbers, phrases=phrases)


def learn_phrases(texts: Iterable[str] | Iterable[Sequence[str]], *, lang: str | None = None, min_count: int = 3,
                  threshold: float = 0.5, scoring: str = "npmi", delimiter: str = "_") -> Any:
    """Learn multiword names (``innovasjon_norge``) with gensim Phrases over content lemmas.

    ``texts`` are strings (analysed with :func:`make_analyzer`) or lists of lemmas. Returns a frozen phrase model to
    pass as ``make_analyzer(phrases=...)``. Deterministic for the same input.

    Examples
    --------
    >>> texts = ["Vi fikk støtte fra Innovasjon Norge i fjor."] * 4 + ["Norge har mange klynger."]
    >>> model = learn_phrases(texts, lang="nb", min_count=2)
    >>> make_analyzer(lang="nb", phrases=model)("Innovasjon Norge hjalp oss.")
    ['innovasjon_norge', 'hjelpe']
    """
    from gensim.models.phrases import Phrases

    analyzer = make_analyzer(lang=lang)
    sentences = [analyzer(t) if isinstance(t, str) else list(t) for t in texts]
    model = Phrases(sentences, min_count=min_count, threshold=threshold, scoring=scoring, delimiter=delimiter)
    return model.freeze()
