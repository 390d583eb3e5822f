"""The hinge between preprocessing and the models: one analysis per segment, lemma streams, one vectorizer.

:class:`Analysis` is the analysis of one segment exactly as ``nlp preprocess`` stores it (tokens, lemmas, one flag per
token, sentences, the language judged in the transcript's context). Every model reads it: the topic models and the
auto-coder take ``X`` = a sequence of analyses (a plain ``str`` is analysed with :func:`analyse_texts`), so there is
no second tokeniser and no second language decision. :class:`LemmaVectorizer` is the one count / TF-IDF vectorizer
over analyses, shared by topics and classify; its fitted vocabulary and idf are saved as JSON and arrays (no pickle).

Examples
--------
>>> a = analyse_texts(["Ehm, [navn] sa at bedriftene liksom samarbeider godt med Innovasjon Norge."], lang="nb")[0]
>>> a.content_lemmas()
['[navn]', 'si', 'bedrift', 'samarbeide', 'god', 'innovasjon', 'norge']
>>> v = LemmaVectorizer(ngram_range=(1, 2)).fit(analyse_texts(["gode nettverk i klyngen"], lang="nb"))
>>> v.get_feature_names_out().tolist()
['god', 'god nettverk', 'klynge', 'nettverk', 'nettverk klynge']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from .errors import ConfigError, InputError
from .model import Transcript, Unit, iter_units
from .normalise.preprocess import (
    Annotation,
    PieceTokens,
    Preprocessor,
    preprocess_transcript,
    segment_languages,
    sentence_tokens,
)
from .normalise.tokens import DROPPED

__all__ = [
    "ANALYZERS",
    "Analysis",
    "LemmaVectorizer",
    "analyse_texts",
    "analyse_transcript",
    "analyses_of",
    "as_analyses",
    "segment_key",
    "transcript_units",
    "with_analyses",
]

#: Flags of tokens that are not words of the speaker: punctuation, and URLs / e-mail addresses.
_NOT_WORDS = frozenset("pu")


@dataclass(frozen=True)
class Analysis:
    """The one analysis of one segment (or text), as ``nlp preprocess`` stores it.

    Attributes
    ----------
    text
        The segment's text.
    lang
        Its language (judged in the transcript's context for segments of a transcript).
    tokens
        Surface forms, ``text[starts[i]:ends[i]]``.
    lemmas
        One lemma per token.
    flags
        One flag character per token (:data:`nlp.normalise.FLAGS`).
    sentences
        ``(first_token, end_token)`` index pairs, one per sentence, covering the tokens in order.
    starts, ends
        Character offsets of the tokens in ``text``.
    """

    text: str
    lang: str
    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]
    flags: str
    sentences: tuple[tuple[int, int], ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    def content_lemmas(self, *, keep_stopwords: bool = False, keep_numbers: bool = False) -> list[str]:
        """The lemma stream the models use: content words and placeholders (``[navn]``, ``XX``); stop words and
        numbers only when asked for. Fillers, cut-offs, backchannels, discourse markers, punctuation, abbreviations,
        URLs and e-mail addresses never.

        Examples
        --------
        >>> a = analyse_texts(["Eh, det er 3 bra ting."], lang="nb")[0]
        >>> a.content_lemmas(), a.content_lemmas(keep_stopwords=True, keep_numbers=True)
        (['bra', 'ting'], ['den', 'være', '3', 'bra', 'ting'])
        """
        dropped = _dropped(keep_stopwords, keep_numbers)
        return [lem for lem, f in zip(self.lemmas, self.flags) if f not in dropped]

    def surface_words(self) -> list[str]:
        """The lower-cased word tokens as written (stop words, fillers and numbers included; punctuation, URLs and
        e-mail addresses not): inflection and small words such as negations that lemmas and stop-word removal lose.

        Examples
        --------
        >>> analyse_texts(["Ikke noe problem, se https://www.nce.no/om-oss."], lang="nb")[0].surface_words()
        ['ikke', 'noe', 'problem', 'se']
        """
        words = self.__dict__.get("_surface_words")
        if words is None:  # kept: the features, cue and polarity columns all read them
            words = [t.lower() for t, f in zip(self.tokens, self.flags) if f not in _NOT_WORDS]
            object.__setattr__(self, "_surface_words", words)
        return list(words)

    def sentence_analyses(self) -> list[Analysis]:
        """One analysis per sentence (views of this one's tokens: the same lemmas and flags as in context).

        Examples
        --------
        >>> [s.text for s in analyse_texts(["Det går bra. Men ikke alltid!"], lang="nb")[0].sentence_analyses()]
        ['Det går bra.', 'Men ikke alltid!']
        """
        out = []
        for a, b in self.sentences:
            if b <= a:
                continue
            lo, hi = (self.starts[a], self.ends[b - 1]) if self.starts else (0, len(self.text))
            out.append(
                Analysis(
                    text=self.text[lo:hi],
                    lang=self.lang,
                    tokens=self.tokens[a:b],
                    lemmas=self.lemmas[a:b],
                    flags=self.flags[a:b],
                    sentences=((0, b - a),),
                    starts=tuple(s - lo for s in self.starts[a:b]),
                    ends=tuple(e - lo for e in self.ends[a:b]),
                )
            )
        return out

    @classmethod
    def join(cls, parts: Sequence[Analysis], *, sep: str = "\n") -> Analysis:
        """One analysis of several joined with ``sep`` (a topic document made of several units); the language is
        the most common one (the first in order on a tie).

        Examples
        --------
        >>> a = Analysis.join(analyse_texts(["Vi deler kunnskap.", "Det går bra."], lang="nb"))
        >>> a.text, a.sentences, a.content_lemmas()
        ('Vi deler kunnskap.\\nDet går bra.', ((0, 4), (4, 8)), ['del', 'kunnskap', 'gå', 'bra'])
        """
        if not parts:
            raise ValueError("nothing to join")
        if len(parts) == 1:
            return parts[0]
        langs = [p.lang for p in parts]
        lang = max(langs, key=lambda lg: (langs.count(lg), -langs.index(lg)))
        tokens: list[str] = []
        lemmas: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        sentences: list[tuple[int, int]] = []
        flags, texts, offset = [], [], 0
        for p in parts:
            n = len(tokens)
            tokens.extend(p.tokens)
            lemmas.extend(p.lemmas)
            flags.append(p.flags)
            starts.extend(s + offset for s in p.starts)
            ends.extend(e + offset for e in p.ends)
            sentences.extend((a + n, b + n) for a, b in p.sentences)
            texts.append(p.text)
            offset += len(p.text) + len(sep)
        return cls(
            text=sep.join(texts),
            lang=lang,
            tokens=tuple(tokens),
            lemmas=tuple(lemmas),
            flags="".join(flags),
            sentences=tuple(sentences),
            starts=tuple(starts),
            ends=tuple(ends),
        )

    @classmethod
    def from_annotation(
        cls, text: str, annotation: Annotation | Mapping[str, Any], *, offset: int = 0
    ) -> Analysis:
        """The analysis of ``text`` from its preprocessing annotation (an :class:`~nlp.normalise.Annotation` or the
        ``meta["preprocess"]`` JSON ``nlp preprocess`` writes), whose offsets are ``offset`` + positions in ``text``.
        """
        if isinstance(annotation, Annotation):
            ann = annotation.to_json()
        else:
            ann = annotation
        try:
            starts = tuple(s - offset for s in ann["starts"])
            ends = tuple(e - offset for e in ann["ends"])
            lemmas, flags, lang = tuple(ann["lemmas"]), str(ann["flags"]), str(ann["lang"])
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"a preprocessing annotation lacks {exc} (keys: {sorted(ann)}).",
                fix="run `nlp preprocess` again on the ingested transcripts.",
            ) from exc
        if not len(starts) == len(ends) == len(lemmas) == len(flags):
            raise InputError(
                f"a preprocessing annotation has {len(starts)} starts, {len(ends)} ends, {len(lemmas)} "
                f"lemmas and {len(flags)} flags; they must be as many as the tokens.",
                fix="run `nlp preprocess` again on the ingested transcripts.",
            )
        if starts and (starts[0] < 0 or ends[-1] > len(text)):
            raise InputError(
                "a preprocessing annotation has token offsets outside its segment's text.",
                fix="run `nlp preprocess` again on the ingested transcripts.",
            )
        sentences = ann.get("sentences")
        if not sentences and starts:  # written before sentences were stored, or a bare Preprocessor.annotate
            sentences = sentence_tokens(text, starts, lang)
        return cls(
            text=text,
            lang=lang,
            tokens=tuple(text[a:b] for a, b in zip(starts, ends)),
            lemmas=lemmas,
            flags=flags,
            sentences=tuple((int(a), int(b)) for a, b in sentences),
            starts=starts,
            ends=ends,
        )


def _dropped(keep_stopwords: bool, keep_numbers: bool) -> frozenset[str]:
    dropped = set(DROPPED)
    if keep_stopwords:
        dropped.discard("s")
    if keep_numbers:
        dropped.discard("n")
    return frozenset(dropped)


_PREPROCESSORS: dict[str | None, Preprocessor] = {}


def analyse_texts(texts: Iterable[str], *, lang: str | None = None) -> list[Analysis]:
    """Plain strings through the same preprocessing as ``nlp preprocess`` (for users with strings, and tests).

    Parameters
    ----------
    texts
        The texts, each read on its own.
    lang
        ``nb``, ``nn``, ``da``, ``sv`` or ``en``; ``None`` identifies the language of each text on its own (a
        transcript's segments are better analysed together: :func:`analyse_transcript`).

    Examples
    --------
    >>> [a.content_lemmas() for a in analyse_texts(["Eg veit ikkje om verksemda har eit godt samarbeid."])]
    [['vite', 'verksemd', 'god', 'samarbeid']]
    """
    if isinstance(texts, str):
        raise InputError("expected a list of texts, got a single string.", fix="wrap it in a list: [text].")
    texts = list(texts)
    for text in texts:
        if not isinstance(text, str):
            raise InputError(
                f"expected a text (str), got {type(text).__name__}.", fix="pass the texts as str."
            )
    pre = _preprocessor(lang)
    out: list[Analysis] = []
    for b in range(0, len(texts), _TEXT_BATCH):  # tokenised together, each read on its own
        batch = texts[b : b + _TEXT_BATCH]
        parts = pre.tokens_of_pieces(batch, [pre.identify(t) for t in batch], sentences=True)
        out.extend(map(_analysis, batch, parts))
    return out


#: Texts that :func:`analyse_texts` tokenises in one pass (bounds the memory of the joined text).
_TEXT_BATCH = 2_000


def _preprocessor(lang: str | None) -> Preprocessor:
    pre = _PREPROCESSORS.get(lang)
    if pre is None:
        pre = _PREPROCESSORS[lang] = Preprocessor(lang=lang)
    return pre


def _analysis(text: str, part: PieceTokens) -> Analysis:
    """The analysis of ``text`` from its tokens (offsets in ``text``), as :meth:`Analysis.from_annotation` reads it
    from what ``nlp preprocess`` stores."""
    return Analysis(
        text=text,
        lang=part.lang,
        tokens=tuple(part.tokens),
        lemmas=tuple(part.lemmas),
        flags=part.flags,
        sentences=part.sentences,
        starts=tuple(part.starts),
        ends=tuple(part.ends),
    )


def segment_key(transcript: Transcript, index: int) -> str:
    """The id of segment ``index`` of ``transcript`` as analysis units carry it (``seg.id`` or ``tid:start-end``)."""
    seg = transcript.segments[index]
    return seg.id or f"{transcript.id}:{seg.start}-{seg.end}"


def analyse_transcript(transcript: Transcript) -> dict[str, Analysis]:
    """The analysis of every segment of ``transcript``, keyed by unit id: exactly what ``nlp preprocess`` writes.

    The language of each segment is judged in the transcript's context. A transcript that was already preprocessed
    (``segment.meta["preprocess"]``) is read, not analysed again. A transcript without segments gives one analysis
    keyed by its id.

    Examples
    --------
    >>> from nlp.model import Segment
    >>> t = Transcript(id="t", text="R: Vi samarbeider godt.", segments=(Segment(3, 23, id="t:1"),))
    >>> analyse_transcript(t)["t:1"].content_lemmas()
    ['samarbeide', 'god']
    """
    if not transcript.segments:
        if "preprocess" not in transcript.meta:
            transcript = preprocess_transcript(transcript)
        return {transcript.id: Analysis.from_annotation(transcript.text, transcript.meta["preprocess"])}
    text = transcript.text
    if any("preprocess" not in s.meta for s in transcript.segments):
        # what preprocess_transcript stores, without storing it: the tokens of each segment in its language
        langs = segment_languages(transcript)[1]
        pieces = [text[s.start : s.end] for s in transcript.segments]
        parts = _preprocessor(None).tokens_of_pieces(pieces, langs, sentences=True)
        return {segment_key(transcript, i): _analysis(pieces[i], p) for i, p in enumerate(parts)}
    return {
        segment_key(transcript, i): Analysis.from_annotation(
            text[s.start : s.end], s.meta["preprocess"], offset=s.start
        )
        for i, s in enumerate(transcript.segments)
    }


def transcript_units(transcripts: Iterable[Transcript], *, include_interviewer: bool = False) -> list[Unit]:
    """The analysis units of ``transcripts`` (:func:`nlp.model.iter_units`), each with its analysis in context
    (:func:`analyse_transcript`: each transcript preprocessed once).

    Examples
    --------
    >>> from nlp.model import Segment
    >>> t = Transcript(id="t", text="R: Vi samarbejder godt.", segments=(Segment(3, 23, id="t:1"),))
    >>> [u.analysis.lang for u in transcript_units([t])]
    ['da']
    """
    out: list[Unit] = []
    for t in transcripts:
        out.extend(
            with_analyses(iter_units([t], include_interviewer=include_interviewer), analyse_transcript(t))
        )
    return out


def analyses_of(units: Iterable[Unit | Mapping[str, Any]]) -> list[Analysis]:
    """The analysis of each unit: the one attached in context (``unit.analysis``, set by
    :meth:`nlp.corpora.Corpus.units` and by tagging), else its text analysed in the unit's language (``lang``; when
    that is unknown, judged from the text alone). Units are :class:`~nlp.model.Unit` objects or mappings with
    ``text`` and optionally ``lang`` and ``analysis``.

    Examples
    --------
    >>> from nlp.corpora import load
    >>> units = load("klynger").units()
    >>> [a.lang for a in analyses_of(units[:3])] == [u.lang for u in units[:3]]
    True
    >>> analyses_of([{"text": "Vi deler kunnskap.", "lang": "nb"}])[0].content_lemmas()
    ['del', 'kunnskap']
    """

    def get(u: Any, key: str) -> Any:
        return u.get(key) if isinstance(u, Mapping) else getattr(u, key, None)

    units = list(units)
    out: list[Analysis | None] = [get(u, "analysis") for u in units]
    todo: dict[str | None, list[int]] = {}  # units without an analysis, by language: analysed in batches
    for i, a in enumerate(out):
        if a is None:
            todo.setdefault(get(units[i], "lang"), []).append(i)
    for lang, rows in todo.items():
        texts = [str(get(units[i], "text") or "") for i in rows]
        for i, a in zip(rows, analyse_texts(texts, lang=lang)):
            out[i] = a
    return out  # type: ignore[return-value]


def as_analyses(X: Any, *, lang: str | None = None) -> list[Analysis]:
    """``X`` as a list of analyses: analyses pass through, strings are analysed (:func:`analyse_texts`), units and
    other objects carrying an ``analysis`` (topic documents) give theirs (:func:`analyses_of`). This is what every
    estimator does with its input first.

    Raises
    ------
    InputError
        A single string (not a list of texts), or items of another type.
    """
    if isinstance(X, (str, bytes)):
        raise InputError(
            "expected a list of texts or analyses, got a single string.", fix="wrap it in a list."
        )
    try:
        items = list(X)
    except TypeError as exc:
        raise InputError(f"expected a list of texts or analyses, got {type(X).__name__}.") from exc
    out: list[Analysis | None] = [x if isinstance(x, Analysis) else None for x in items]
    texts = [i for i, x in enumerate(items) if isinstance(x, str)]
    if texts:
        for i, a in zip(texts, analyse_texts([items[i] for i in texts], lang=lang)):
            out[i] = a
    for i, x in enumerate(items):
        if out[i] is None:
            if isinstance(x, Unit) or isinstance(getattr(x, "analysis", None), Analysis):
                out[i] = analyses_of([x])[0]
            else:
                raise InputError(
                    f"item {i} is a {type(x).__name__}, not a text or an Analysis.",
                    fix="pass strings or nlp.features.Analysis objects (analyse_transcript, analyses_of).",
                )
    return out  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------------ vectorizer
#: Term streams of :class:`LemmaVectorizer`: content lemmas; lemmas with stop words; lemmas and (marked ``=``)
#: surface words; surface words only; character n-grams inside surface words (compound parts).
ANALYZERS = ("lemmas", "lemmas+stop", "lemmas+surface", "surface", "chars")


def _ngrams(tokens: list[str], lo: int, hi: int) -> list[str]:
    if hi == 1:
        return tokens
    out = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(map(" ".join, zip(*(tokens[k:] for k in range(n)))))
    return out


def _long_words(analysis: Analysis) -> list[str]:
    # surface words of two or more characters: "i", "å" are too frequent to say anything as word features
    return [w for w in analysis.surface_words() if len(w) > 1]


def _word_chars(word: str, lo: int, hi: int) -> list[str]:
    w = f" {word} "
    return [w[i : i + n] for n in range(lo, min(hi, len(w)) + 1) for i in range(len(w) - n + 1)]


#: Words whose character n-gram columns a fitted vectorizer keeps (memory stays bounded on endless input).
_MAX_WORD_COLUMNS = 200_000


def _df_bound(value: float, n_docs: int, name: str) -> int:
    """A document-frequency bound as a count: a float is a fraction of the documents, an int a count."""
    if isinstance(value, float):
        if not 0.0 < value <= 1.0:
            raise ConfigError(
                f"{name}={value} as a fraction must be in (0, 1].", fix="or pass a document count (int)."
            )
        return int(np.ceil(value * n_docs)) if name == "min_df" else int(np.floor(value * n_docs))
    if value < 1:
        raise ConfigError(f"{name}={value} must be at least 1 as a document count.")
    return int(value)


class LemmaVectorizer(TransformerMixin, BaseEstimator):
    """Counts or TF-IDF of the terms of analyses: n-grams of content lemmas (and optionally surface words or
    character n-grams of the words), one column per term of the fitted vocabulary.

    Parameters
    ----------
    analyzer
        The term stream: a callable analysis -> terms, or one of :data:`ANALYZERS`: ``"lemmas"`` (content lemmas), ``"lemmas+stop"`` (stop words
        kept), ``"lemmas+surface"`` (lemmas, and the lower-cased surface words of two or more characters marked with a
        leading ``=``, n-grams within each stream), ``"surface"`` (those surface words), ``"chars"`` (character n-grams inside each surface word,
        padded with a space as scikit-learn's ``char_wb``: ``kunnskapsdeling`` shares ``kunnskap`` with
        ``kunnskapen``).
    ngram_range
        ``(min_n, max_n)`` of word n-grams (characters for ``"chars"``).
    min_df, max_df
        Keep terms in at least ``min_df`` and at most ``max_df`` training documents (int: a count, float: a fraction).
    use_idf
        Weight by smoothed idf, ``log((1 + n) / (1 + df)) + 1``; else raw counts.
    sublinear_tf
        Use ``1 + log(tf)``.
    norm
        ``"l2"`` to scale each row to unit length, or ``None``.
    lang
        Language for plain strings in ``X`` (``None``: identified per text).

    Attributes
    ----------
    vocabulary_ : dict, term -> column (columns in sorted term order).
    idf_ : ndarray, the idf of each column (ones without ``use_idf``).
    n_documents_ : int, training documents; ``n_empty_documents_``: those without any vocabulary term.

    Examples
    --------
    >>> docs = analyse_texts(["Bedriftene samarbeider godt.", "Samarbeidet mellom bedriftene er godt."], lang="nb")
    >>> v = LemmaVectorizer(min_df=2)
    >>> v.fit_transform(docs).toarray().tolist(), v.get_feature_names_out().tolist()
    ([[1.0, 1.0], [1.0, 1.0]], ['bedrift', 'god'])
    """

    def __init__(
        self,
        *,
        analyzer: str | Callable[[Analysis], list[str]] = "lemmas",
        ngram_range: tuple[int, int] = (1, 1),
        min_df: float = 1,
        max_df: float = 1.0,
        use_idf: bool = False,
        sublinear_tf: bool = False,
        norm: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.use_idf = use_idf
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.lang = lang

    # -- terms ------------------------------------------------------------------------------------------------
    def _check_params(self) -> tuple[int, int]:
        if not callable(self.analyzer) and self.analyzer not in ANALYZERS:
            raise ConfigError(
                f"unknown analyzer {self.analyzer!r}.", fix=f"use one of {', '.join(ANALYZERS)}."
            )
        try:
            lo, hi = (int(n) for n in self.ngram_range)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"ngram_range {self.ngram_range!r} is not a pair of integers.",
                fix="use e.g. (1, 1) for single lemmas or (1, 2) for lemmas and lemma pairs.",
            ) from exc
        if not 1 <= lo <= hi:
            raise ConfigError(
                f"ngram_range {self.ngram_range!r} is not an increasing pair of positive integers.",
                fix="use e.g. (1, 1) for single lemmas or (1, 2) for lemmas and lemma pairs.",
            )
        if self.norm not in (None, "l2"):
            raise ConfigError(f"norm={self.norm!r} is not supported.", fix="use 'l2' or None.")
        return lo, hi

    def terms(self, analysis: Analysis) -> list[str]:
        """The terms of one analysis, in text order (repeats kept)."""
        lo, hi = self._check_params()
        name = self.analyzer
        if callable(name):
            return _ngrams(list(name(analysis)), lo, hi)
        if name == "chars":
            return [g for w in analysis.surface_words() for g in _word_chars(w, lo, hi)]
        if name == "surface":
            return _ngrams(_long_words(analysis), lo, hi)
        lemmas = _ngrams(analysis.content_lemmas(keep_stopwords=name == "lemmas+stop"), lo, hi)
        if name == "lemmas+surface":
            lemmas.extend("=" + g for g in _ngrams(_long_words(analysis), lo, hi))
        return lemmas

    def build_analyzer(self):
        """The callable analysis -> terms (also accepts a string, analysed with :func:`analyse_texts`)."""

        def analyze(doc: Analysis | str) -> list[str]:
            return self.terms(as_analyses([doc], lang=self.lang)[0])

        return analyze

    # -- fitting ----------------------------------------------------------------------------------------------
    def fit(self, X: Sequence[Analysis | str], y: Any = None) -> LemmaVectorizer:
        """Learn the vocabulary (and idf) of ``X``; returns self."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[Analysis | str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary of ``X`` and return its document-term matrix."""
        self._check_params()
        docs = [self.terms(a) for a in as_analyses(X, lang=self.lang)]
        n = len(docs)
        lo, hi = _df_bound(self.min_df, n, "min_df"), _df_bound(self.max_df, n, "max_df")
        df: dict[str, int] = {}
        for terms in docs:
            for t in set(terms):
                df[t] = df.get(t, 0) + 1
        vocab = sorted(t for t, c in df.items() if lo <= c <= hi)
        if not vocab and n:
            raise InputError(
                f"no words are left after filtering ({len(df)} distinct terms in {n} documents; kept terms must occur "
                f"in at least {lo} and at most {hi} documents).",
                fix="lower min_df (--min-df), raise max_df, or check that the texts are in a supported language and "
                "not only stop words.",
            )
        self.vocabulary_ = {t: i for i, t in enumerate(vocab)}
        counts = self._count(docs)
        self.n_documents_ = n
        self.n_empty_documents_ = int(np.sum(np.diff(counts.indptr) == 0))
        if self.use_idf:
            dfs = np.asarray([df[t] for t in vocab], dtype=np.float64)
            self.idf_ = np.log((1.0 + n) / (1.0 + dfs)) + 1.0
        else:
            self.idf_ = np.ones(len(vocab))
        return self._weight(counts)

    def transform(self, X: Sequence[Analysis | str]) -> sp.csr_matrix:
        """The document-term matrix of ``X`` over the fitted vocabulary (terms outside it are ignored)."""
        self._check_fitted()
        analyses = as_analyses(X, lang=self.lang)
        if self.analyzer == "chars":
            return self._weight(self._char_counts(analyses))
        return self._weight(self._count([self.terms(a) for a in analyses]))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_word_columns", None)  # a cache: rebuilt on use, not worth shipping to another process
        return state

    def _char_counts(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        """:meth:`_count` of the ``"chars"`` terms, each word's columns looked up once (a word's character n-grams
        do not depend on the words around it): the same columns in the same order as ``terms``."""
        lo, hi = self._check_params()
        index = self.vocabulary_
        key = (id(index), lo, hi)
        memo = getattr(self, "_word_columns", None)
        if memo is None or memo[0] != key or memo[1] is not index:
            memo = self._word_columns = (key, index, {})
        columns = memo[2]
        cols: list[int] = []
        lengths = np.zeros(len(analyses), dtype=np.int64)
        for r, analysis in enumerate(analyses):
            before = len(cols)
            for w in analysis.surface_words():
                c = columns.get(w)
                if c is None:
                    c = tuple(j for g in _word_chars(w, lo, hi) if (j := index.get(g)) is not None)
                    if len(columns) >= _MAX_WORD_COLUMNS:
                        columns.clear()
                    columns[w] = c
                cols += c
            lengths[r] = len(cols) - before
        return self._matrix(cols, lengths)

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(X) first.")

    def _count(self, docs: list[list[str]]) -> sp.csr_matrix:
        index = self.vocabulary_
        cols: list[int] = []
        lengths = np.zeros(len(docs), dtype=np.int64)
        for r, terms in enumerate(docs):
            before = len(cols)
            cols.extend(j for t in terms if (j := index.get(t)) is not None)
            lengths[r] = len(cols) - before
        return self._matrix(cols, lengths)

    def _matrix(self, cols: list[int], lengths: np.ndarray) -> sp.csr_matrix:
        """The count matrix of the vocabulary columns ``cols`` of all documents in a row, ``lengths`` per document."""
        rows = np.repeat(np.arange(len(lengths)), lengths)
        m = sp.csr_matrix(
            (np.ones(len(cols)), (rows, np.asarray(cols, dtype=np.int64))),
            shape=(len(lengths), len(self.vocabulary_)),
        )
        m.sum_duplicates()
        m.sort_indices()
        return m

    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        x = sp.csr_matrix(counts, dtype=np.float64)
        data = x.data
        if self.sublinear_tf:
            data = 1.0 + np.log(data)
        if self.use_idf:
            data = data * self.idf_[x.indices]
        if self.norm == "l2" and len(data):
            rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=x.shape[0]))
            data = data / norms[rows]
        return sp.csr_matrix((data, x.indices.copy(), x.indptr.copy()), shape=x.shape)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The terms in column order."""
        self._check_fitted()
        return np.asarray(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)

    # -- pickle-free state ------------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings and vocabulary, and the idf array, from which :meth:`from_state` rebuilds this vectorizer."""
        self._check_fitted()
        if callable(self.analyzer):
            raise TypeError("a vectorizer with a callable analyzer cannot be saved; use one of ANALYZERS")
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()}
        params["vocabulary"] = self.get_feature_names_out().tolist()
        params["n_documents"] = int(self.n_documents_)
        return params, {"idf": np.asarray(self.idf_, dtype=np.float64)}

    @classmethod
    def from_state(cls, params: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> LemmaVectorizer:
        """The vectorizer saved by :meth:`get_state`.

        Raises
        ------
        ValueError
            When the vocabulary and the idf array differ in length, or a setting is unknown.
        """
        init = {k: v for k, v in params.items() if k not in ("vocabulary", "n_documents")}
        if "ngram_range" in init:
            init["ngram_range"] = tuple(init["ngram_range"])
        v = cls(**init)
        v._check_params()
        vocab = list(params["vocabulary"])
        v.vocabulary_ = {t: i for i, t in enumerate(vocab)}
        v.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        v.n_documents_ = int(params.get("n_documents", 0))
        v.n_empty_documents_ = 0
        if len(v.idf_) != len(vocab):
            raise ValueError(f"idf has {len(v.idf_)} values but the vocabulary {len(vocab)} terms")
        return v


def with_analyses(units: Iterable[Unit], analyses: Mapping[str, Analysis]) -> list[Unit]:
    """The units with their analysis attached (``unit.analysis``) from ``analyses`` keyed by unit id."""
    return [replace(u, analysis=analyses.get(u.id)) for u in units]
