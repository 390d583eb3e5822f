"""Preprocessing of turns and transcripts: language, tokens, lemmas and flags per segment, content lemmas.

:class:`Preprocessor` is the one analysis of ``nlp preprocess``, which :mod:`nlp.features` hands to every model: one regular expression over a turn, then one cached dictionary lookup per token giving its lemma
and its flag (see :data:`nlp.normalise.FLAGS`). Multiword discourse markers (``på en måte``, ``ikke sant``) and
cut-off words (``va-`` but not ``olje- og gass``) are resolved in context.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import accumulate, groupby, pairwise
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from ..lang import LANGS, language
from ..model import Transcript
from .langid import _default as _identifier
from .tokens import (
    _TOKEN_RE,
    DROPPED,
    _filler_sets,
    _lemma_cache,
    _links,
    split_sentences,
    stop_words,
    token_spans,
)

__all__ = [
    "Annotation",
    "PieceTokens",
    "PreprocessStats",
    "Preprocessor",
    "analyze",
    "preprocess_transcript",
    "preprocess_transcripts",
    "segment_languages",
    "sentence_tokens",
]

_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_FLAG_OF_KIND = {"filler": "f", "cutoff": "c", "backchannel": "b", "discourse": "d"}


#: token types whose (lemma, flag) a language keeps (memory stays bounded on endless input)
_MAX_CACHED = 1_000_000


class _TokenInfo(dict):
    """token string (as written) -> (lemma, flag) for one language and one set of options."""

    def __init__(self, lang: str, harmonise: bool) -> None:
        super().__init__()
        self.lemmas = _lemma_cache(lang, harmonise)
        self.stops = stop_words(lang)
        self.raw_stops = language(lang).STOP_WORDS
        self.fillers, self.back, self.single, _ = _filler_sets(lang)
        self.abbreviations = _all_abbreviations()

    def __missing__(self, form: str) -> tuple[str, str]:
        m = _TOKEN_RE.fullmatch(form)
        # forms of the fast pattern that the full one splits ("f.eks" without its period) are words or numbers
        kind = (
            m.lastgroup
            if m is not None
            else ("w" if form[:1].isalpha() else "n" if form[:1].isdigit() else "p")
        )
        low = form.lower()
        if kind == "w" and (low + "." in self.abbreviations or low in self.abbreviations):
            kind = "a"
        if kind != "w":
            info = (form if kind in ("x", "n", "u") else low, kind)
        else:
            if low in self.fillers:
                info = (low, "f")
            elif len(low) > 1 and low.endswith("-"):
                info = (self.lemmas[low.rstrip("-")] if low.rstrip("-") else low, "c")
            elif low in self.back:
                info = (low, "b")
            elif low in self.single:
                info = (low, "d")
            else:
                lem = self.lemmas[low]
                info = (lem, "s" if low in self.stops or lem in self.raw_stops else "w")
        if len(self) < _MAX_CACHED:
            self[form] = info
        return info


@cache
def _all_abbreviations() -> frozenset[str]:
    return frozenset().union(*(language(x).ABBREVIATIONS | language(x).FINAL_ABBREVIATIONS for x in LANGS))


@cache
def _token_info(lang: str, harmonise: bool) -> _TokenInfo:
    return _TokenInfo(lang, harmonise)


@cache
def _multiword(lang: str) -> re.Pattern[str] | None:
    phrases = _filler_sets(lang)[3]
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Annotation:
    """Tokens of one text: start and end offsets, lemmas and one flag character per token; the sentences as
    ``(first_token, end_token)`` pairs (empty until :func:`preprocess_transcript` sets them)."""

    lang: str
    starts: list[int]
    ends: list[int]
    lemmas: list[str]
    flags: str
    sentences: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"lang", "starts", "ends", "lemmas", "flags", "sentences"}``: token ``i`` is ``text[starts[i]:ends[i]]``
        of the text the offsets refer to (flat lists: no object per token, which made writing 1M tokens 10% slower);
        ``sentences`` lists ``[first_token, end_token]`` per sentence."""
        return {
            "lang": self.lang,
            "starts": list(self.starts),
            "ends": list(self.ends),
            "lemmas": list(self.lemmas),
            "flags": self.flags,
            "sentences": [list(p) for p in self.sentences],
        }


class PieceTokens(NamedTuple):
    """The tokens of one piece of text (:meth:`Preprocessor.tokens_of_pieces`): its language, token strings,
    start and end offsets, lemmas, one flag per token and sentences as ``(first_token, end_token)`` pairs."""

    lang: str
    tokens: list[str]
    starts: list[int]
    ends: list[int]
    lemmas: list[str]
    flags: str
    sentences: tuple[tuple[int, int], ...]


class Preprocessor:
    """Text -> language, tokens, lemmas, flags; and text -> content lemmas (:meth:`analyze`).

    Parameters
    ----------
    lang
        ``nb``, ``nn``, ``da``, ``sv`` or ``en``; ``None`` identifies the language of each text.
    keep_stopwords
        Keep stop words among the content lemmas.
    keep_numbers
        Keep numbers among the content lemmas.
    harmonise
        Map frequent nynorsk lemmas to bokmål (``verksemd`` -> ``virksomhet``).

    Examples
    --------
    >>> Preprocessor(lang="nb").analyze("Ehm, vi har liksom samarbeidet godt med [bedrift] i mange år, ikke sant?")
    ['samarbeid', 'god', '[bedrift]', 'år']
    """

    def __init__(
        self,
        *,
        lang: str | None = None,
        keep_stopwords: bool = False,
        keep_numbers: bool = False,
        harmonise: bool = False,
    ) -> None:
        if lang is not None:
            language(lang)
        self.lang = lang
        self.keep_stopwords = keep_stopwords
        self.keep_numbers = keep_numbers
        self.harmonise = harmonise
        dropped = set(DROPPED)
        if keep_stopwords:
            dropped.discard("s")
        if keep_numbers:
            dropped.discard("n")
        self._dropped = frozenset(dropped)

    def identify(self, text: str, *, prior: str | None = None) -> str:
        """Language of ``text`` (the fixed ``lang`` if one was given)."""
        if self.lang is not None:
            return self.lang
        return _identifier().identify(text, prior=prior)

    def annotate(
        self, text: str, *, lang: str | None = None, start: int = 0, end: int | None = None
    ) -> Annotation:
        """Tokens (offsets, lemmas, flags) of ``text[start:end]``, read as a text of its own (nothing around it is
        seen); the offsets are positions in ``text``."""
        end = len(text) if end is None else end
        lang = lang or self.identify(text[start:end])
        return self._annotate_spans(text, [(start, end)], [lang])[0]

    def _annotate_spans(
        self, text: str, spans: Sequence[tuple[int, int]], langs: Sequence[str], *, sentences: bool = False
    ) -> list[Annotation]:
        """:meth:`annotate` of ``text[a:b]`` for each span, in its language, with its sentences if asked, in one
        pass over them all (:meth:`tokens_of_pieces`); the offsets are positions in ``text``."""
        parts = self.tokens_of_pieces(
            [text[a:b] for a, b in spans], langs, sentences=sentences, offsets=[a for a, _ in spans]
        )
        return [Annotation(p.lang, p.starts, p.ends, p.lemmas, p.flags, p.sentences) for p in parts]

    def tokens_of_pieces(
        self,
        pieces: Sequence[str],
        langs: Sequence[str],
        *,
        sentences: bool = False,
        offsets: Sequence[int] | None = None,
    ) -> list[PieceTokens]:
        """Tokens, offsets, lemmas, flags (and sentences if asked) of each piece of text, in its language, in one
        pass over them all: the pieces are joined with newlines and tokenised at once (no token holds a newline,
        and each look-around of the token pattern sees a newline as it sees the end of a text), so the tokens of
        each piece are those of the piece alone. Offsets are positions in the piece, plus ``offsets[i]`` when
        given (where the piece starts in its transcript).

        Examples
        --------
        >>> p = Preprocessor().tokens_of_pieces(["Ja, eh, vi deler.", "Godt."], ["nb", "nb"], sentences=True)
        >>> p[0].tokens, p[0].flags, p[1].starts, p[1].sentences
        (['Ja', ',', 'eh', ',', 'vi', 'deler', '.'], 'spfpswp', [0, 4], ((0, 2),))
        """
        joined = "\n".join(pieces)
        toks, starts, ends = token_spans(joined)
        bases = list(accumulate([len(p) + 1 for p in pieces], initial=0))  # where each piece starts in joined
        firsts = [bisect.bisect_left(starts, base) for base in bases[:-1]] + [len(toks)]  # its first token
        lemmas: list[str] = []
        flag_list: list[str] = []
        end_span = 0
        for lang, run in groupby(
            langs
        ):  # one lookup per run of spans in one language: (lemma, flag) per token
            lo = firsts[end_span]
            end_span += sum(1 for _ in run)
            hi = firsts[end_span]
            if hi > lo:
                # two passes over the (lemma, flag) pairs: zip(*pairs) makes an iterator per token, which sets
                # off the garbage collector over the large caches (3x slower than the lookups themselves)
                pairs = list(map(_token_info(lang, self.harmonise).__getitem__, toks[lo:hi]))
                lemmas += map(_FIRST, pairs)
                flag_list += map(_SECOND, pairs)
        flags = "".join(flag_list)
        if "c" in flags or any(_multiword(lang) is not None for lang in set(langs)):
            flags = self._flags_in_context(joined, toks, starts, flags, bases, firsts, langs)
        shifts = (
            [-base for base in bases[:-1]] if offsets is None else [a - b for a, b in zip(offsets, bases)]
        )
        offsets_of = (starts, ends)
        if any(shifts):  # joined -> piece (or transcript) offsets: the shift of each token's piece
            by_token = np.repeat(shifts, np.diff(firsts))
            offsets_of = (
                (np.array(starts, dtype=np.int64) + by_token).tolist(),
                (np.array(ends, dtype=np.int64) + by_token).tolist(),
            )
        out = []
        for i, lang in enumerate(langs):
            lo, hi = firsts[i], firsts[i + 1]
            sents = (
                _sentence_bounds(pieces[i], starts, lang, offset=bases[i], lo=lo, hi=hi) if sentences else ()
            )
            out.append(
                PieceTokens(
                    lang,
                    toks[lo:hi],
                    offsets_of[0][lo:hi],
                    offsets_of[1][lo:hi],
                    lemmas[lo:hi],
                    flags[lo:hi],
                    sents,
                )
            )
        return out

    @staticmethod
    def _flags_in_context(
        joined: str,
        toks: list[str],
        starts: list[int],
        flags: str,
        bases: list[int],
        firsts: list[int],
        langs: Sequence[str],
    ) -> str:
        """Flags resolved by the tokens around: a cut-off word before a linking word or a comma is the first part of
        a suspended compound ("olje- og gassindustrien"); the words of a multiword marker ("ikke sant") are
        discourse markers. Context ends with the span."""
        cut_offs = []
        i = flags.find("c")
        while i >= 0:
            span = bisect.bisect_right(firsts, i) - 1
            if i + 1 < firsts[span + 1] and (
                toks[i + 1] == "," or toks[i + 1].lower() in _links(langs[span])
            ):
                cut_offs.append(i)
            i = flags.find("c", i + 1)
        markers = []
        for lang in set(langs):
            pat = _multiword(lang)
            for m in pat.finditer(joined) if pat is not None else ():
                span = bisect.bisect_right(bases, m.start()) - 1
                if langs[span] == lang:
                    i = bisect.bisect_left(starts, m.start())
                    while i < firsts[span + 1] and starts[i] < m.end():
                        markers.append(i)
                        i += 1
        if not cut_offs and not markers:
            return flags
        out = list(flags)
        for i in cut_offs:
            out[i] = "w"
        for i in markers:
            out[i] = "d"
        return "".join(out)

    def analyze(self, text: str) -> list[str]:
        """Content lemmas of ``text`` read on its own (:meth:`annotate`; the lemma stream of
        :meth:`nlp.features.Analysis.content_lemmas`): no stop words, fillers, punctuation; placeholders kept."""
        ann = self.annotate(text)
        dropped = self._dropped
        return [lem for lem, f in zip(ann.lemmas, ann.flags) if f not in dropped]

    __call__ = analyze


def analyze(text: str, *, lang: str | None = None, keep_stopwords: bool = False) -> list[str]:
    """Content lemmas of ``text`` (see :class:`Preprocessor`).

    Examples
    --------
    >>> analyze("Eg veit ikkje om verksemda har eit godt samarbeid.", lang="nn")
    ['vite', 'verksemd', 'god', 'samarbeid']
    """
    return _preprocessor(lang, keep_stopwords)(text)


@lru_cache(maxsize=32)
def _preprocessor(lang: str | None, keep_stopwords: bool) -> Preprocessor:
    return Preprocessor(lang=lang, keep_stopwords=keep_stopwords)


# ------------------------------------------------------------------------------------------------------ transcripts
@dataclass
class PreprocessStats:
    """Counts per language for the ``nlp preprocess`` summary table."""

    segments: Counter = field(default_factory=Counter)
    tokens: Counter = field(default_factory=Counter)
    lemmas: dict[str, set] = field(default_factory=dict)
    fillers: Counter = field(default_factory=Counter)
    stop_words: Counter = field(default_factory=Counter)
    transcripts: Counter = field(default_factory=Counter)

    def add(self, ann: Annotation) -> None:
        lang = ann.lang
        self.segments[lang] += 1
        self.tokens[lang] += sum(1 for f in ann.flags if f != "p")
        self.lemmas.setdefault(lang, set()).update(lem for lem, f in zip(ann.lemmas, ann.flags) if f == "w")
        self.fillers[lang] += sum(1 for f in ann.flags if f in "fcbd")
        self.stop_words[lang] += ann.flags.count("s")

    def rows(self) -> list[dict[str, Any]]:
        langs = [lang for lang in LANGS if self.segments[lang]] + sorted(set(self.segments) - set(LANGS))
        return [
            {
                "lang": lang,
                "transcripts": self.transcripts[lang],
                "segments": self.segments[lang],
                "tokens": self.tokens[lang],
                "lemmas": len(self.lemmas.get(lang, ())),
                "fillers": self.fillers[lang],
                "stop_words": self.stop_words[lang],
            }
            for lang in langs
        ]


def segment_languages(transcript: Transcript, *, lang: str | None = None) -> tuple[str, list[str]]:
    """The language of ``transcript`` and of each of its segments (of its whole text when it has none), as
    :func:`preprocess_transcript` sets them: with ``lang=None`` the transcript's language comes from all its turns
    together, and a turn keeps it unless its own evidence for another language is clear.

    Examples
    --------
    >>> from nlp.model import Segment
    >>> t = Transcript(id="t", text="Vi samarbeider godt med bedriftene.\\nVi samarbejder godt med virksomhederne.",
    ...                segments=(Segment(0, 35), Segment(36, 73)))
    >>> segment_languages(t)
    ('da', ['nb', 'da'])
    """
    spans = [(s.start, s.end) for s in transcript.segments] or [(0, len(transcript.text))]
    if lang is not None:
        return lang, [lang] * len(spans)
    ident = _identifier()
    scores = ident.span_scores(transcript.text, spans)
    doc_lang = ident.decide(scores.sum(axis=0).tolist())
    return doc_lang, [ident.decide(s, prior=doc_lang) for s in scores.tolist()]


def preprocess_transcript(
    transcript: Transcript,
    *,
    lang: str | None = None,
    harmonise: bool = False,
    stats: PreprocessStats | None = None,
    preprocessor: Preprocessor | None = None,
) -> Transcript:
    """Set the language of the transcript and of each segment, and store per segment its tokens (offsets into
    ``transcript.text``), lemmas and flags in ``segment.meta["preprocess"]``.

    A transcript without segments gets its annotation in ``transcript.meta["preprocess"]``. With ``lang=None`` the
    transcript's language comes from all its turns together, and a turn keeps it unless its own evidence for
    another language is clear.
    """
    pre = preprocessor or Preprocessor(lang=lang, harmonise=harmonise)
    text = transcript.text
    spans = [(s.start, s.end) for s in transcript.segments] or [(0, len(text))]
    doc_lang, seg_langs = segment_languages(transcript, lang=lang)
    anns = pre._annotate_spans(text, spans, seg_langs, sentences=True)
    if stats is not None:
        stats.transcripts[doc_lang] += 1
        for ann in anns:
            stats.add(ann)
    if not transcript.segments:
        meta = {**transcript.meta, "preprocess": anns[0].to_json()}
        return replace(transcript, lang=doc_lang, meta=meta)
    segments = tuple(
        replace(s, lang=ann.lang, meta={**s.meta, "preprocess": ann.to_json()})
        for s, ann in zip(transcript.segments, anns)
    )
    return replace(transcript, lang=doc_lang, segments=segments)


def sentence_tokens(text: str, starts: Sequence[int], lang: str | None = None) -> tuple[tuple[int, int], ...]:
    """The sentences of ``text`` (:func:`nlp.normalise.split_sentences`) as ``(first_token, end_token)`` pairs of
    its tokens, whose start offsets in ``text`` are ``starts``; every token is in one sentence.

    Examples
    --------
    >>> text = "Ja. Det går bra!"
    >>> sentence_tokens(text, [0, 2, 4, 8, 12, 15], "nb")
    ((0, 2), (2, 6))
    """
    return _sentence_bounds(text, starts, lang)


def _sentence_bounds(
    text: str, starts: Sequence[int], lang: str | None, *, offset: int = 0, lo: int = 0, hi: int | None = None
) -> tuple[tuple[int, int], ...]:
    """:func:`sentence_tokens` of ``text`` whose tokens are ``starts[lo:hi]``, at ``offset`` + their offset in
    ``text`` (the tokens of one span among those of several)."""
    hi = len(starts) if hi is None else hi
    cuts = [bisect.bisect_left(starts, offset + a, lo, hi) - lo for a, _ in split_sentences(text, lang)[1:]]
    bounds = [0, *cuts, hi - lo]
    return tuple((a, b) for a, b in pairwise(bounds) if b > a)


def preprocess_transcripts(transcripts: Iterable[Transcript], **options: Any) -> Iterable[Transcript]:
    """:func:`preprocess_transcript` over a stream (lazy; memory stays flat)."""
    stats = options.pop("stats", None)
    pre = Preprocessor(lang=options.get("lang"), harmonise=options.get("harmonise", False))
    for t in transcripts:
        yield preprocess_transcript(t, stats=stats, preprocessor=pre, **options)
