"""The codebook's cue words as a concept coder, with negation scope for the polarity cues.

:class:`CueCoder` needs no training: it codes a segment with every code one of whose cue words or phrases
(:attr:`nlp.codebook.Code.cues`) occurs in it, and gives it the polarity whose cues
(:attr:`nlp.codebook.Codebook.polarity_cues`, ``driver``/``barrier``) occur more often, a negator
(``negators``: ``ikke``, ``ingen``, ``uten``, ``i liten grad`` ...) shortly before a cue turning it to the other side
(``ikke nyttig`` is a barrier, ``ikke noe problem`` a driver). It is the concept coder for a study with no coding of
its own (on the bundled theses it beats a model trained on the other theses, see ``bench/autocode.py``).

Matching (the codebook's convention): case-insensitive; a cue word matches a token whose surface form OR lemma
equals it; a trailing ``*`` makes it a prefix (``kunnskapsdel*``), also on a non-final word of a phrase
(``lær* av hverandre``); the words of a phrase match consecutive tokens. Tokens come from the one preprocessing
analysis (tokens, lemmas, flags; see :class:`TokenStream`); fillers, backchannels and discourse markers (``eh``,
``mm``, ``ikke sant``) are skipped, so ``dele eh kunnskap`` is a phrase and the ``ikke`` of ``ikke sant`` negates
nothing; punctuation stays and ends a phrase and a negation's scope.

:meth:`CueCoder.cue_statistics` says per cue how often it fired and how often the reference coder agreed, so a
researcher can edit the cue lists in the codebook (YAML or REFI-QDA code descriptions).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..features import Analysis, as_analyses
from ..normalise.tokens import token_spans

__all__ = ["CueCoder", "CueMatcher", "TokenStream", "compile_cue", "polarity_cue_counts", "token_stream"]

#: Flags (:data:`nlp.normalise.FLAGS`) of tokens left out of cue matching: fillers, backchannels, discourse markers.
SKIPPED_FLAGS = frozenset("fbd")
#: Flag of punctuation: it ends a phrase and a negation's scope.
PUNCTUATION_FLAG = "p"
#: A negator turns a polarity cue that starts at most this many tokens after it (the same scope as
#: :data:`nlp.lang.polarity.NEGATION_SCOPE`).
NEGATION_SCOPE = 3

#: One cue word: (text, is_prefix).
CueWord = tuple[str, bool]


@dataclass(frozen=True)
class TokenStream:
    """The tokens of one segment as cue matching sees them: lower-cased surface forms and lemmas, and whether a
    token is punctuation (fillers, backchannels and discourse markers already left out)."""

    surfaces: tuple[str, ...]
    lemmas: tuple[str, ...]
    punctuation: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.surfaces)


def token_stream(analysis: Analysis) -> TokenStream:
    """The :class:`TokenStream` of one segment's analysis (:class:`nlp.features.Analysis`, or anything with
    ``tokens``, ``lemmas`` and ``flags``).

    Examples
    --------
    >>> from nlp.features import analyse_texts
    >>> s = token_stream(analyse_texts(["Vi deler eh kunnskap, ikke sant."], lang="nb")[0])
    >>> s.surfaces, s.lemmas[1]
    (('vi', 'deler', 'kunnskap', ',', '.'), 'del')
    """
    tokens, lemmas, flags = analysis.tokens, analysis.lemmas, analysis.flags
    if not any(f in flags for f in SKIPPED_FLAGS):  # the common case: every token kept
        return TokenStream(
            surfaces=tuple(map(str.lower, tokens)),
            lemmas=tuple(map(str.lower, lemmas)),
            punctuation=tuple(map(PUNCTUATION_FLAG.__eq__, flags)),
        )
    keep = [i for i, f in enumerate(flags) if f not in SKIPPED_FLAGS]
    return TokenStream(
        surfaces=tuple(tokens[i].lower() for i in keep),
        lemmas=tuple(lemmas[i].lower() for i in keep),
        punctuation=tuple(flags[i] == PUNCTUATION_FLAG for i in keep),
    )


def _flat_tokens(analyses: Sequence[Analysis]) -> tuple[list[str], list[str], list[int]]:
    """The :class:`TokenStream` surfaces and lemmas of all ``analyses`` one after the other, and where each
    segment's tokens start (and the last ends), without a stream object per segment."""
    surfaces: list[str] = []
    lemmas: list[str] = []
    bounds = [0]
    for a in analyses:
        if any(f in a.flags for f in SKIPPED_FLAGS):
            s = token_stream(a)
            surfaces += s.surfaces
            lemmas += s.lemmas
        else:
            surfaces += map(str.lower, a.tokens)
            lemmas += map(str.lower, a.lemmas)
        bounds.append(len(surfaces))
    return surfaces, lemmas, bounds


def compile_cue(cue: str) -> tuple[CueWord, ...]:
    """A cue as a sequence of ``(word, is_prefix)``, tokenised as segments are (``R&D`` is three tokens).

    Examples
    --------
    >>> compile_cue("lær* av hverandre")
    (('lær', True), ('av', False), ('hverandre', False))
    >>> compile_cue("R&D")
    (('r', False), ('&', False), ('d', False))
    """
    out: list[CueWord] = []
    for word in cue.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not word:
            continue
        tokens = token_spans(word.lower())[0]
        for j, tok in enumerate(tokens):
            out.append((tok, prefix and j == len(tokens) - 1))
    return tuple(out)


def _word_matches(cue_word: CueWord, surface: str, lemma: str) -> bool:
    word, prefix = cue_word
    if prefix:
        return surface.startswith(word) or lemma.startswith(word)
    return surface == word or lemma == word


class CueMatcher:
    """Find cue phrases in token streams; a compiled index over the first word of every cue.

    Parameters
    ----------
    cues
        ``label -> cue strings`` (codes, or ``driver``/``barrier``/``negators``).

    Examples
    --------
    >>> from nlp.features import analyse_texts
    >>> m = CueMatcher({"ks": ["kunnskapsdel*", "lær* av hverandre"], "comp": ["konkurrent*"]})
    >>> s = token_stream(analyse_texts(["Vi lærer mye av hverandre, men lærte av hverandre."], lang="nb")[0])
    >>> [(label, cue, pos) for label, cue, pos, _ in m.matches(s)]
    [('ks', 'lær* av hverandre', 7)]
    """

    def __init__(self, cues: Mapping[str, Iterable[str]]) -> None:
        self.cues: list[tuple[str, str, tuple[CueWord, ...]]] = []
        for label, strings in cues.items():
            for cue in strings:
                words = compile_cue(cue)
                if words:
                    self.cues.append((label, cue, words))
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        for i, (_, _, words) in enumerate(self.cues):
            word, prefix = words[0]
            (self._prefix if prefix else self._exact).setdefault(word, []).append(i)
        self._prefix_lengths = sorted({len(w) for w in self._prefix}, reverse=True)
        self._first: dict[str, tuple[int, ...]] = {}  # form -> cues whose first word it matches (cache)
        # (surface, lemma) -> cues whose first word either matches (cache; most tokens start none)
        self._first_pair: dict[tuple[str, str], tuple[int, ...]] = {}

    def _starting(self, form: str) -> tuple[int, ...]:
        hit = self._first.get(form)
        if hit is None:
            found = list(self._exact.get(form, ()))
            for n in self._prefix_lengths:
                if n <= len(form):
                    found.extend(self._prefix.get(form[:n], ()))
            if len(self._first) > 200_000:
                self._first.clear()
            hit = self._first[form] = tuple(sorted(set(found)))
        return hit

    def matches(self, stream: TokenStream) -> list[tuple[str, str, int, int]]:
        """``(label, cue, first_token, end_token)`` of every cue occurrence, in text order; where cues overlap at
        one position every one of them is listed (the caller decides)."""
        return [m[1:] for m in self.matches_in(stream.surfaces, stream.lemmas, [0, len(stream)])]

    def matches_in(
        self, surfaces: Sequence[str], lemmas: Sequence[str], bounds: Sequence[int]
    ) -> list[tuple[int, str, str, int, int]]:
        """:meth:`matches` of many segments at once: their lower-cased surfaces and lemmas one after the other,
        segment ``k`` from ``bounds[k]`` to ``bounds[k + 1]``; ``(k, label, cue, first_token, end_token)`` with
        token positions within the segment, segment after segment. Every token is looked up in one pass (most start
        no cue) and only the cues that start at a token are checked."""
        out: list[tuple[int, str, str, int, int]] = []
        surf, lem, cues = surfaces, lemmas, self.cues
        pair_memo = self._first_pair
        starting = list(map(pair_memo.get, zip(surf, lem)))
        if None in starting:
            if len(pair_memo) > 200_000:
                pair_memo.clear()
            for pos in [p for p, c in enumerate(starting) if c is None]:
                candidates = self._starting(surf[pos])
                if lem[pos] != surf[pos]:
                    candidates = tuple(sorted(set(candidates) | set(self._starting(lem[pos]))))
                starting[pos] = pair_memo[(surf[pos], lem[pos])] = candidates
        for pos in [p for p, c in enumerate(starting) if c]:
            k = bisect_right(bounds, pos) - 1
            base, limit = bounds[k], bounds[k + 1]
            for i in starting[pos]:
                label, cue, words = cues[i]
                end = pos + len(words)
                if end > limit:
                    continue
                # the second word first: most phrases that start here end at it
                if len(words) == 1 or (
                    _word_matches(words[1], surf[pos + 1], lem[pos + 1])
                    and all(
                        _word_matches(words[j], surf[pos + j], lem[pos + j]) for j in range(2, len(words))
                    )
                ):
                    out.append((k, label, cue, pos - base, end - base))
        return out


def polarity_cue_counts(
    stream: TokenStream, matcher: CueMatcher, *, scope: int = NEGATION_SCOPE
) -> tuple[int, int, int]:
    """``(driver, barrier, negators)`` cue counts of one segment with negation scope.

    A driver or barrier cue that starts within ``scope`` tokens after the end of a negator, with no punctuation
    between, counts for the other side; a cue that contains a negator itself (``ikke nok``) keeps its side, and
    a negator inside a longer cue is not a negator of its own. Overlapping cues of one side count once.

    Examples
    --------
    >>> from nlp.features import analyse_texts
    >>> m = CueMatcher({"driver": ["nyttig*"], "barrier": ["problem*", "ikke nok"], "negators": ["ikke", "ikke noe"]})
    >>> a, b = analyse_texts(["Det var ikke noe problem, men ikke nyttig.", "Det er ikke nok folk."], lang="nb")
    >>> polarity_cue_counts(token_stream(a), m), polarity_cue_counts(token_stream(b), m)
    ((1, 1, 2), (0, 1, 0))
    """
    return _polarity_counts(matcher.matches(stream), stream.punctuation, scope)


def _polarity_counts(
    found: Sequence[tuple[str, str, int, int]], punct: Sequence[bool], scope: int
) -> tuple[int, int, int]:
    """:func:`polarity_cue_counts` from the polarity matcher's matches of one segment and its punctuation."""
    polar = [(a, b, label) for label, _, a, b in found if label in ("driver", "barrier")]
    negs = sorted({(a, b) for label, _, a, b in found if label == "negators"})
    # a negator inside a polar cue ("ikke nok") belongs to that cue; a shorter negator inside a longer one
    # ("ikke" in "ikke noe") is the longer one
    negs = [
        (a, b)
        for a, b in negs
        if not any(pa <= a and b <= pb for pa, pb, _ in polar)
        and not any((na, nb) != (a, b) and na <= a and b <= nb for na, nb in negs)
    ]
    counts = {"driver": 0, "barrier": 0}
    seen: set[tuple[int, str]] = set()
    for a, b, label in sorted(polar):
        if any(pa <= a < pb and (pa, pb) != (a, b) and pl == label for pa, pb, pl in polar):
            continue  # inside a longer cue of the same side
        if (a, label) in seen:
            continue
        seen.add((a, label))
        negated = any(nb <= a < nb + scope and not any(punct[nb:a]) for _, nb in negs)
        side = label if not negated else ("barrier" if label == "driver" else "driver")
        counts[side] += 1
    return counts["driver"], counts["barrier"], len(negs)


class CueCoder:
    """Concept codes (and a polarity) from the codebook's cue words; no training needed.

    Parameters
    ----------
    codebook
        A :class:`nlp.codebook.Codebook` whose codes carry ``cues`` (and ``polarity_cues``); may be ``None`` when
        ``cues`` is given.
    cues
        ``code -> cue strings``; overrides the codebook's cue lists.
    polarity_cues
        ``{"driver", "barrier", "negators"} -> cue strings``; overrides the codebook's.
    max_codes
        At most this many codes per segment (those with the most cue hits; ties in codebook order); ``None``: all
        (on the bundled corpus, leaving every thesis out in turn, no cap gave concept micro-F1 0.451, a cap of 3
        0.437, of 2 0.407; ``bench/autocode.py``).
    min_hits
        A code needs at least this many cue occurrences in a segment.
    negation_scope
        Tokens after a negator in which a polarity cue changes side.
    lang
        Language of plain-string input (``None``: identified per text).

    The scores of :meth:`predict_proba` are cue-hit counts squashed to 0..1 (``hits / (hits + 1)``): an ordering,
    not calibrated probabilities. ``fit`` checks the cue lists and learns only the most frequent polarity (given
    when no polarity cue occurs; ``neutral`` without training data).

    Examples
    --------
    >>> coder = CueCoder(cues={"ks": ["kunnskapsdel*", "dele* erfaring*"], "comp": ["konkurrent*"]},
    ...                  polarity_cues={"driver": ["nyttig*"], "barrier": ["problem*"], "negators": ["ikke"]},
    ...                  lang="nb").fit()
    >>> coder.predict(["Vi deler erfaringer, det er nyttig.", "Konkurrentene er ikke nyttige."])
    [(('ks',), 'driver'), (('comp',), 'barrier')]
    """

    def __init__(
        self,
        *,
        codebook: Any = None,
        cues: Mapping[str, Sequence[str]] | None = None,
        polarity_cues: Mapping[str, Sequence[str]] | None = None,
        max_codes: int | None = None,
        min_hits: int = 1,
        negation_scope: int = NEGATION_SCOPE,
        lang: str | None = None,
    ) -> None:
        self.codebook = codebook
        self.cues = cues
        self.polarity_cues = polarity_cues
        self.max_codes = max_codes
        self.min_hits = min_hits
        self.negation_scope = negation_scope
        self.lang = lang

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("codebook", "cues", "polarity_cues", "max_codes", "min_hits", "negation_scope", "lang")
        }

    def set_params(self, **params: Any) -> CueCoder:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(
        self,
        X: Sequence[Any] | None = None,
        codes: Sequence[Iterable[str]] | None = None,
        polarity: Sequence[str | None] | None = None,
        *,
        groups: Sequence[Any] | None = None,
        classes: Sequence[str] | None = None,
        polarity_classes: Sequence[str] = ("driver", "barrier", "neutral"),
    ) -> CueCoder:
        """Compile the cue lists; ``classes`` fixes the code order (default: the codebook's, else the cues');
        ``polarity`` (optional) gives the most frequent value, used when a segment has no polarity cue."""
        if self.cues is not None:
            cue_lists = {str(c): tuple(v) for c, v in self.cues.items()}
        elif self.codebook is not None:
            cue_lists = {c.id: tuple(c.cues) for c in self.codebook.codes}
        else:
            raise ConfigError(
                "a CueCoder needs a codebook with cue words or cues=.",
                fix="pass codebook=corpus.codebook, or cues={code: [words]}.",
            )
        if self.polarity_cues is not None:
            pol_lists = {k: tuple(v) for k, v in self.polarity_cues.items()}
        else:
            pol_lists = {
                k: tuple(v) for k, v in (getattr(self.codebook, "polarity_cues", None) or {}).items()
            }
        if not any(cue_lists.values()):
            raise ConfigError(
                "the codebook has no cue words for any code, so the cue coder cannot code anything.",
                fix='add cues to the codes in codebook.yaml (cues: ["kunnskapsdel*", '
                '"lær* av hverandre"]) or in the REFI-QDA code descriptions.',
            )
        unknown = sorted(set(pol_lists) - {"driver", "barrier", "negators"})
        if unknown:
            raise ConfigError(
                f"polarity_cues has unknown keys {', '.join(unknown)}.",
                fix="use driver, barrier and negators.",
            )
        self.classes_ = list(classes) if classes is not None else list(cue_lists)
        self.polarity_classes_ = list(polarity_classes)
        self.cue_lists_ = {c: cue_lists.get(c, ()) for c in self.classes_}
        self.polarity_cue_lists_ = pol_lists
        self.matcher_ = CueMatcher(self.cue_lists_)
        self.polarity_matcher_ = CueMatcher(pol_lists)
        counts = {p: 0 for p in self.polarity_classes_}
        for p in polarity or ():
            if p in counts:
                counts[p] += 1
        if any(counts.values()):
            self.default_polarity_ = max(self.polarity_classes_, key=lambda p: (counts[p], p == "neutral"))
        else:
            self.default_polarity_ = (
                "neutral" if "neutral" in self.polarity_classes_ else self.polarity_classes_[0]
            )
        return self

    # -- matching --------------------------------------------------------------------------------------------
    def streams(self, X: Sequence[Any]) -> list[TokenStream]:
        """The token streams of ``X``: analyses (:class:`nlp.features.Analysis`), units or plain strings (analysed
        with :func:`nlp.features.as_analyses` in ``lang``)."""
        items = list(X)
        if items and all(isinstance(x, TokenStream) for x in items):
            return items
        return [token_stream(a) for a in as_analyses(items, lang=self.lang)]

    def code_matches(self, X: Sequence[Any]) -> list[dict[str, list[str]]]:
        """Per segment: ``code -> the cues that occurred`` (one entry per occurrence, text order)."""
        out = []
        for s in self.streams(X):
            found: dict[str, list[str]] = {}
            for label, cue, _, _ in self.matcher_.matches(s):
                found.setdefault(label, []).append(cue)
            out.append(found)
        return out

    def hits(self, X: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Cue-hit counts: ``(codes: n x len(classes_), polarity: n x 3 driver/barrier/negators)``."""
        items = list(X)
        if items and all(isinstance(x, TokenStream) for x in items):
            streams: list[TokenStream] | None = items
            surfaces = [w for s in items for w in s.surfaces]
            lemmas = [w for s in items for w in s.lemmas]
            bounds = [0, *accumulate(map(len, items))]
        else:
            analyses = as_analyses(items, lang=self.lang)
            streams = None
            surfaces, lemmas, bounds = _flat_tokens(analyses)
        index = {c: j for j, c in enumerate(self.classes_)}
        hc = np.zeros((len(bounds) - 1, len(self.classes_)))
        hp = np.zeros((len(bounds) - 1, 3))
        # overlapping cues of one code at one place count once
        starts = {(k, label, a) for k, label, _, a, _ in self.matcher_.matches_in(surfaces, lemmas, bounds)}
        for k, label, _ in starts:
            hc[k, index[label]] += 1
        found: dict[int, list[tuple[str, str, int, int]]] = {}
        for k, *match in self.polarity_matcher_.matches_in(surfaces, lemmas, bounds):
            found.setdefault(k, []).append(tuple(match))  # type: ignore[arg-type]
        for k, ms in found.items():  # segments without a polarity cue or negator count (0, 0, 0)
            stream = streams[k] if streams is not None else token_stream(analyses[k])
            hp[k] = _polarity_counts(ms, stream.punctuation, self.negation_scope)
        return hc, hp

    def predict_proba(self, X: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Scores in 0..1: ``(codes: n x len(classes_), polarity: n x len(polarity_classes_))`` (cue-hit counts
        squashed, ``hits / (hits + 1)``; the default polarity scores 0.5 where no polarity cue occurs)."""
        hc, hp = self.hits(X)
        pc = hc / (hc + 1.0)
        pp = np.zeros((len(hc), len(self.polarity_classes_)))
        for j, p in enumerate(self.polarity_classes_):
            if p in ("driver", "barrier"):
                col = hp[:, 0 if p == "driver" else 1]
                pp[:, j] = col / (col + 1.0)
        none = hp[:, :2].sum(axis=1) == 0
        if self.default_polarity_ in self.polarity_classes_:
            pp[none, self.polarity_classes_.index(self.default_polarity_)] = 0.5
        return pc, pp

    def decide(self, p_codes: np.ndarray, p_pol: np.ndarray) -> list[tuple[tuple[str, ...], str | None]]:
        """Codes with at least ``min_hits`` cue hits (at most ``max_codes``, most hits first) and the polarity with
        the higher cue count (ties: the default polarity)."""
        thr = self.min_hits / (self.min_hits + 1.0) - 1e-9
        out = []
        for pc, pp in zip(p_codes, p_pol):
            on = [j for j in np.argsort(-pc, kind="stable") if pc[j] >= thr]
            if self.max_codes is not None:
                on = on[: self.max_codes]
            codes = tuple(self.classes_[j] for j in sorted(on))
            top = np.flatnonzero(pp == pp.max())
            pol = self.polarity_classes_[int(top[0])] if len(top) == 1 else self.default_polarity_
            out.append((codes, pol))
        return out

    def predict(self, X: Sequence[Any]) -> list[tuple[tuple[str, ...], str | None]]:
        """``(codes, polarity)`` per segment, as :meth:`nlp.classify.AutoCoder.predict`."""
        return self.decide(*self.predict_proba(X))

    def cue_statistics(self, X: Sequence[Any], codes: Sequence[Iterable[str]]) -> list[dict[str, Any]]:
        """Per code and cue: in how many segments it fired, in how many of those the reference ``codes`` have the
        code (``right``), and that share (``precision``; ``None`` when it never fired). Sorted by code (codebook
        order), then most fired first.

        Examples
        --------
        >>> coder = CueCoder(cues={"ks": ["kunnskap*", "dele*"]}, polarity_cues={}, lang="nb").fit()
        >>> rows = coder.cue_statistics(["Vi deler kunnskap.", "Vi deler ut mat."], [{"ks"}, set()])
        >>> [(r["cue"], r["fired"], r["right"]) for r in rows]
        [('dele*', 2, 1), ('kunnskap*', 1, 1)]
        """
        gold = [frozenset(c) for c in codes]
        fired: dict[tuple[str, str], int] = {}
        right: dict[tuple[str, str], int] = {}
        for found, g in zip(self.code_matches(X), gold):
            for code, cues in found.items():
                for cue in set(cues):
                    fired[(code, cue)] = fired.get((code, cue), 0) + 1
                    right[(code, cue)] = right.get((code, cue), 0) + (code in g)
        rows = []
        for code in self.classes_:
            for cue in self.cue_lists_[code]:
                n = fired.get((code, cue), 0)
                rows.append(
                    {
                        "code": code,
                        "cue": cue,
                        "fired": n,
                        "right": right.get((code, cue), 0),
                        "precision": right.get((code, cue), 0) / n if n else None,
                    }
                )
        order = {c: i for i, c in enumerate(self.classes_)}
        return sorted(rows, key=lambda r: (order[r["code"]], -r["fired"], r["cue"]))
