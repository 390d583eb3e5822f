"""Tokens, sentences, lemmas, stop words, fillers and language id for Norwegian (nb, nn), Danish and friends.

Text is owned by the caller: tokens and sentences are offsets (code points, end-exclusive) into the given string.
The hot path (:meth:`Preprocessor.analyze`, :meth:`Preprocessor.annotate`) runs one regular expression over a turn
and looks every distinct token up once in a per-language cache, so the cost per token is a dictionary lookup.

Lemmas come from simplemma's dictionaries with corrections learned from the UD dev splits layered on top
(``nlp/lang/lemmas_*.tsv``, built by ``scripts/build_lang_data.py``); nynorsk falls back to bokmål. simplemma's
dictionaries are read from ``nlp/lang/lexicon_*.tsv.gz`` (its own data, re-encoded by the same script so that a
language loads in a fraction of the time; only languages met in the text are loaded).
Anonymisation placeholders (``[navn]``, ``[bedrift]``, ``XX``) are single tokens and are never lemmatised.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, pairwise

import numpy as np

from ..errors import ModelFileError
from ..lang import DATA_DIR, LANGS, language
from .langid import identify_document, identify_language, language_scores

__all__ = [
    "FLAGS",
    "Token",
    "filler_kind",
    "identify_document",
    "identify_language",
    "is_filler",
    "is_stop_word",
    "language_scores",
    "lemma",
    "lemmatize",
    "mark_fillers",
    "split_sentences",
    "stop_words",
    "token_spans",
    "tokenize",
]

#: Per-token flags written by :meth:`Preprocessor.annotate`: w content word, s stop word, f hesitation filler,
#: c cut-off word, b backchannel, d discourse marker, p punctuation, n number, x placeholder, a abbreviation, u URL.
FLAGS = {
    "w": "content",
    "s": "stop word",
    "f": "filler",
    "c": "cut-off",
    "b": "backchannel",
    "d": "discourse marker",
    "p": "punctuation",
    "n": "number",
    "x": "placeholder",
    "a": "abbreviation",
    "u": "url",
}
#: Flags whose tokens are dropped by the analyzer (everything but content words and placeholders)
DROPPED = frozenset("sfcbdpnau")
_FILLER_FLAGS = frozenset("fcbd")


def _single_dot_abbreviations() -> frozenset[str]:
    """``ca.``, ``dvs.``, ``kr.``: abbreviations whose only period is the last character (all languages)."""
    out = set()
    for lang in LANGS:
        mod = language(lang)
        for a in mod.ABBREVIATIONS | mod.FINAL_ABBREVIATIONS:
            if a.endswith(".") and "." not in a[:-1] and " " not in a:
                out.add(a.lower())
    return frozenset(out)


# a word and the period right after it form one token when they make a known abbreviation; checked after the
# regular expression (an alternation of all abbreviations inside it made tokenising five times slower)
_ABBREV_DOT = _single_dot_abbreviations()


# One alternative per token kind; every non-space character is covered, so tokens plus gaps tile the text.
_TOKEN = (
    r"(?P<x>\[[^\[\]\s][^\[\]\n]{0,39}\]|(?<!\w)X{2,}(?!\w))"
    r"|(?P<u>(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]|(?=[\w.+-]{1,64}@)[\w.+-]+@[\w-]+\.[\w.-]*\w)"
    r"|(?P<a>(?<!\w)(?:[^\W\d_]{1,4}\.){2,}(?!\w))"
    r"|(?P<n>\d+(?:[.,:]\d+)*(?:-[^\W\d_]\w*)?)"
    r"|(?P<w>[^\W\d_]\w*(?:[-'’]\w+)*-?)"
    r"|(?P<p>\.{2,}|[-–—]{2,}|\w|[^\w\s])"
)
_TOKEN_RE = re.compile(_TOKEN)
# The same tokens as one group without names, for :func:`token_spans`: ``split`` gives the tokens and the
# whitespace between them, whose lengths add up to the offsets (named groups would make a string per group). Two
# alternatives in front take the commonest tokens at once, where none of the others could match: a word of letters
# not starting with X and followed by nothing that could extend it into a URL, an e-mail address, an abbreviation
# or a compound (a period only before whitespace or the end); a single character that cannot start a longer token.
_COMMON = r"[^\W\d_X][^\W\d_]*(?![\w+@:'’-]|\.\S)|[^\w\s.+\-–—\[]|\.(?![\w.+@-])"
_TOKEN_SPLIT_RE = re.compile("(" + _COMMON + "|" + re.sub(r"\(\?P<\w>", "(?:", _TOKEN) + ")")
_KINDS = ("x", "u", "a", "n", "w", "p")


@dataclass(frozen=True, slots=True)
class Token:
    """A token as offsets into the text it came from.

    ``kind`` is one of word, number, punct, placeholder, abbreviation, url; ``cutoff`` marks a word broken off in
    speech (``va-``), as opposed to the first part of a suspended compound (``olje- og gassindustrien``).
    """

    text: str
    start: int
    end: int
    kind: str = "word"
    cutoff: bool = False

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


_KIND_NAMES = {"x": "placeholder", "u": "url", "a": "abbreviation", "n": "number", "w": "word", "p": "punct"}


def token_spans(text: str, offset: int = 0) -> tuple[list[str], list[int], list[int]]:
    """Token strings with their start and end offsets, plus ``offset`` (where ``text`` starts in a longer text).

    The tokens :meth:`nlp.normalise.preprocess.Preprocessor.annotate` stores: one regular expression pass
    (``re.split``) over the text, offsets summed from the lengths of the pieces.

    Examples
    --------
    >>> token_spans("Eg  veit ca. 3 ting.")
    (['Eg', 'veit', 'ca.', '3', 'ting', '.'], [0, 4, 9, 13, 15, 19], [2, 8, 12, 14, 19, 20])
    >>> token_spans("ja.", offset=100)
    (['ja', '.'], [100, 102], [102, 103])
    """
    parts = _TOKEN_SPLIT_RE.split(text)  # whitespace, token, whitespace, ..., token, whitespace
    if len(parts) == 1:
        return [], [], []
    bounds = list(accumulate(map(len, parts), initial=offset))  # bounds[i]: where parts[i] starts
    toks, starts, ends = parts[1::2], bounds[1:-1:2], bounds[2::2]
    if "." in toks:
        _merge_abbreviations(toks, starts, ends)
    return toks, starts, ends


def _merge_abbreviations(toks: list[str], starts: list[int], ends: list[int]) -> None:
    """Join ``ca`` and the period right after it into ``ca.`` (known abbreviations only), in place."""
    dots = []
    i = toks.index(".")
    while True:
        dots.append(i)
        try:
            i = toks.index(".", i + 1)
        except ValueError:
            break
    for i in reversed(dots):
        if i and ends[i - 1] == starts[i] and toks[i - 1].lower() + "." in _ABBREV_DOT:
            toks[i - 1] += "."
            ends[i - 1] = ends[i]
            del toks[i], starts[i], ends[i]


def tokenize(text: str, *, lang: str | None = None) -> list[Token]:
    """Split ``text`` into tokens with offsets.

    Hyphenated compounds (``NCE-programmet``) stay one token; placeholders (``[navn]``, ``XX``), URLs, numbers
    (``1.000``, ``10-tallet``) and abbreviations (``f.eks.``, ``ca.``) are single tokens; a word ending in a
    hyphen that is not a suspended compound is flagged ``cutoff``.

    Examples
    --------
    >>> [(t.text, t.start, t.end) for t in tokenize("NCE-programmet, f.eks. [navn]")]
    [('NCE-programmet', 0, 14), (',', 14, 15), ('f.eks.', 16, 22), ('[navn]', 23, 29)]
    >>> [t.text for t in tokenize("det va- var fint") if t.cutoff]
    ['va-']
    """
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        t = Token(m.group(), m.start(), m.end(), _KIND_NAMES[m.lastgroup or "p"])
        if (
            t.text == "."
            and tokens
            and tokens[-1].end == t.start
            and tokens[-1].kind == "word"
            and tokens[-1].text.lower() + "." in _ABBREV_DOT
        ):
            prev = tokens.pop()
            t = Token(prev.text + ".", prev.start, t.end, "abbreviation")
        tokens.append(t)
    links = _links(lang)
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.endswith("-") and len(t.text) > 1 and not _suspended(tokens, i, links):
            tokens[i] = Token(t.text, t.start, t.end, t.kind, True)
    return tokens


@cache
def _links(lang: str | None) -> frozenset[str]:
    if lang is None:
        return frozenset().union(*(language(x).SUSPENSION_LINKS for x in LANGS))
    return language(lang).SUSPENSION_LINKS


def _suspended(tokens: Sequence, i: int, links: frozenset[str]) -> bool:
    """``olje- og gass``: a hyphen-final word followed by a linking word or a comma is a suspended compound."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None:
        return False
    word = nxt if isinstance(nxt, str) else nxt.text
    return word == "," or word.lower() in links


# ---------------------------------------------------------------------------------------------------------- sentences
# a sentence-final punctuation mark before whitespace or the end, and (group 1) the first character after that
# whitespace (None at the end of the text)
_TERMINATOR = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s|$)(?=\s*(\S)?)")
_DASH_LINE = re.compile(r"\n[ \t]*(?=[-–—][ \t])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_OPENERS = "\"'«„“‘([-–—"


@cache
def _abbreviations(lang: str | None) -> tuple[frozenset[str], frozenset[str]]:
    langs = LANGS if lang is None else (lang,)
    never = frozenset().union(*(language(x).ABBREVIATIONS for x in langs))
    final = frozenset().union(*(language(x).FINAL_ABBREVIATIONS for x in langs))
    return never - final, final


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, whitespace trimmed.

    Splits after ``. ! ? …`` when the next sentence starts (a capital, a digit, an opening quote or a dialogue
    dash), at paragraph breaks, and before lines that open with a dialogue dash. Never after abbreviations such
    as ``f.eks.``, ``bl.a.``, ``dvs.``, ``ca.``, ordinals (``3. mai``) or initials (``K. Hansen``); ``osv.`` and
    ``m.m.`` end a sentence when a capital follows.

    Examples
    --------
    >>> t = "– Kommer du? – Ja, ca. kl. 3. Vi tar bl.a. toget."
    >>> [t[a:b] for a, b in split_sentences(t, "nb")]
    ['– Kommer du?', '– Ja, ca. kl. 3.', 'Vi tar bl.a. toget.']
    """
    never, final = _abbreviations(lang)
    n = len(text)
    cuts = {0, n}
    if "\n" in text:
        cuts.update(m.end() for m in _PARAGRAPH.finditer(text))
        cuts.update(m.end() for m in _DASH_LINE.finditer(text))
    for m in _TERMINATOR.finditer(text):
        nxt = m.group(1)  # the first character after the whitespace that follows
        if nxt is None:
            continue
        start, end = m.span()
        before = text[max(0, start - 30) : start]
        word = before.split()[-1] if before and not before[-1].isspace() else ""
        if word and nxt.islower():
            continue  # a lowercase word goes on the sentence (unless the period stands alone: "ja . men")
        if nxt in "-–—":  # dialogue dash: split unless a lowercase word follows (speech tag "– sa hun")
            k = m.start(1) + 1
            while k < n and text[k] in " \t":
                k += 1
            if k < n and text[k].islower():
                continue
        punct = m.group()
        if word and punct[0] == "." and len(punct.rstrip("\"'»”’)]")) == 1:
            low = (word.lower() + ".").lstrip(_OPENERS)
            if low in never or (low not in final and _DOTTED.fullmatch(low)):
                continue
            if not nxt.isupper() and (low in final or word.isdigit()):
                continue  # "osv. og", ordinal: "3. mai"
            if len(word) == 1 and word.isupper():
                continue  # initial: "K. Hansen"
        cuts.add(end)
    spans = []
    for a, b in pairwise(sorted(cuts)):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans


#: ``bl.a.``, ``t.o.m.``: short letter groups each followed by a period
_DOTTED = re.compile(r"(?:[^\W\d_]{1,4}\.){2,}")


# ------------------------------------------------------------------------------------------------------------ lemmas
#: simplemma dictionaries consulted per language, in order (nynorsk falls back to bokmål)
_SIMPLEMMA_CHAIN = {"nb": ("nb",), "nn": ("nn", "nb"), "da": ("da",), "sv": ("sv",), "en": ("en",)}


@cache
def _corrections(lang: str) -> dict[str, str]:
    if lang not in ("nb", "nn", "da"):
        return {}
    path = DATA_DIR / f"lemmas_{lang}.tsv"
    table: dict[str, str] = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or "\t" not in line:
                    continue
                form, lem = line.rstrip("\n").split("\t", 1)
                table[form] = lem
    return table


#: first characters of the header line of ``nlp/lang/lexicon_*.tsv.gz``
LEXICON_HEADER = "# form\tlemma:"


class _Lexicon(Mapping[str, str]):
    """simplemma's dictionary of one language: sorted ``form<TAB>lemma`` lines of UTF-8 text, kept as bytes.

    A lookup bisects a decoded sample of every :attr:`STEP`-th line, then finds the form's line among the
    :attr:`STEP` lines the sample points to with one ``bytes.find``; only the sample is decoded when loading (no
    str per entry: simplemma's own loader decodes a front-coded stream into a dict, 4x slower, and a list of all
    lines took 170 MB for four languages). The answers are simplemma's entries; the first line of a form wins.
    """

    __slots__ = ("_data", "_n_lines", "_sample", "_sample_at")

    #: lines per sampled line
    STEP = 16

    def __init__(self, data: bytes) -> None:
        self._data = b"\n" + data + b"\n"  # every line between two newlines
        newlines = np.flatnonzero(np.frombuffer(self._data, dtype=np.uint8) == 10)
        self._n_lines = len(newlines) - 1
        self._sample_at = newlines[: -1 : self.STEP].tolist()  # the newline before each sampled line
        ends = newlines[1 :: self.STEP].tolist()
        self._sample = [self._data[a + 1 : b].decode("utf-8") for a, b in zip(self._sample_at, ends)]
        if any(a > b for a, b in pairwise(self._sample)):
            raise ValueError("its lines are not sorted")

    def get(self, key: str, default=None):
        if "\n" in key:
            return default
        line_start = key + "\t"
        probe = ("\n" + line_start).encode("utf-8", "surrogatepass")
        # the first line >= form<TAB> comes after sampled line j - 1 and at the latest is sampled line j
        j = bisect_left(self._sample, line_start)
        lo = self._sample_at[j - 1] if j else 0
        hi = self._sample_at[j] + len(probe) if j < len(self._sample) else len(self._data)
        at = self._data.find(probe, lo, hi)
        if at < 0:
            return default
        at += len(probe)
        return self._data[at : self._data.index(b"\n", at)].decode("utf-8")

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (line.split("\t", 1)[0] for line in self._data[1:-1].decode("utf-8").split("\n"))

    def __len__(self) -> int:
        return self._n_lines


class _LexiconFactory:
    """simplemma ``DictionaryFactory`` reading ``nlp/lang/lexicon_{lang}.tsv.gz`` (simplemma's data, re-encoded by
    ``scripts/build_lang_data.py``); a language without a file falls back to simplemma's own loader."""

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        return _lexicon(lang)


@cache
def _lexicon(lang: str) -> Mapping[str, str]:
    path = DATA_DIR / f"lexicon_{lang}.tsv.gz"
    if not path.exists():
        from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

        return DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
    header, _, body = zlib.decompress(path.read_bytes(), wbits=31).partition(b"\n")
    if not header.startswith(LEXICON_HEADER.encode()):
        raise ModelFileError(
            f"{path} is not a lexicon file.",
            path=path,
            line=1,
            fix="rerun scripts/build_lang_data.py --only lexicons or reinstall the package.",
        )
    try:
        return _Lexicon(body)
    except ValueError as exc:  # lines out of order
        raise ModelFileError(
            f"{path}: {exc}.",
            path=path,
            fix="rerun scripts/build_lang_data.py --only lexicons or reinstall the package.",
        ) from exc


@cache
def _lemmatizer():
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    # the same strategies as simplemma.lemmatize(), over the faster-loading dictionaries
    return Lemmatizer(
        lemmatization_strategy=DefaultStrategy(greedy=False, dictionary_factory=_LexiconFactory())
    )


class _LemmaCache(dict):
    """lower-cased form -> lemma for one language; misses go to the UD corrections, then simplemma."""

    def __init__(self, lang: str, harmonise: bool) -> None:
        super().__init__()
        self.lang = lang
        self.corr = _corrections(lang)
        chain = _SIMPLEMMA_CHAIN[lang]
        self.chain = chain[0] if len(chain) == 1 else chain
        self.nb_equiv = language("nn").NB_EQUIVALENTS if harmonise and lang == "nn" else {}
        self.dictionary = _lexicon(chain[0])

    def dictionary_lemma(self, form: str) -> str | None:
        """simplemma's answer when it is the first dictionary's entry for the form, without its pipeline (five
        times faster): for a word of letters in NFC that is no number, the pipeline of our languages (no
        apostrophe splitting, no canonical folding) looks the form up first and returns a hit. ``None``: ask
        simplemma (tests/test_normalise.py checks the two agree wherever this answers)."""
        if form.isalpha() and not form.isnumeric() and unicodedata.is_normalized("NFC", form):
            return self.dictionary.get(form)
        return None

    def __missing__(self, form: str) -> str:
        lem = self.corr.get(form)
        if lem is None:
            lem = self.dictionary_lemma(form) or _lemmatizer().lemmatize(form, self.chain)
            lem = lem.lower()
        lem = self.nb_equiv.get(lem, lem)
        if len(self) < 1_000_000:
            self[form] = lem
        return lem


@cache
def _lemma_cache(lang: str, harmonise: bool = False) -> _LemmaCache:
    if lang not in _SIMPLEMMA_CHAIN:
        language(lang)  # raises the ConfigError naming the languages
    return _LemmaCache(lang, harmonise)


def lemma(word: str, lang: str, *, harmonise: bool = False) -> str:
    """Lemma (lower case) of one word; placeholders, numbers and punctuation come back unchanged.

    Examples
    --------
    >>> lemma("bedriftene", "nb"), lemma("gjekk", "nn"), lemma("virksomheder", "da")
    ('bedrift', 'gå', 'virksomhed')
    >>> lemma("[navn]", "nb")
    '[navn]'
    """
    m = _TOKEN_RE.fullmatch(word)
    if m is None or m.lastgroup != "w":
        # punctuation follows the UD convention learned from the dev splits (« and » -> ")
        return _corrections(lang).get(word, word) if m is None or m.lastgroup == "p" else word
    return _lemma_cache(lang, harmonise)[word.lower()]


def lemmatize(tokens: Iterable[Token | str], lang: str, *, harmonise: bool = False) -> list[str]:
    """Lemmas of tokens (or plain words), lower case; non-words are returned as they are.

    ``harmonise=True`` maps frequent nynorsk lemmas to their bokmål counterparts (``verksemd`` -> ``virksomhet``)
    so that one topic model can span both written standards.

    Examples
    --------
    >>> lemmatize(tokenize("Bedriftene samarbeider med [bedrift]."), "nb")
    ['bedrift', 'samarbeide', 'med', '[bedrift]', '.']
    >>> lemmatize(["verksemda", "ikkje"], "nn", harmonise=True)
    ['virksomhet', 'ikke']
    """
    out = []
    for t in tokens:
        if isinstance(t, Token):
            if t.kind == "word":
                out.append(_lemma_cache(lang, harmonise)[t.text.lower()])
            else:
                out.append(_corrections(lang).get(t.text, t.text) if t.kind == "punct" else t.text)
        else:
            out.append(lemma(t, lang, harmonise=harmonise))
    return out


# ------------------------------------------------------------------------------------- stop words and fillers
@cache
def stop_words(lang: str) -> frozenset[str]:
    """Stop words of ``lang``: function words only (no ``by``, ``dag``, ``folk``), as forms and as lemmas.

    Examples
    --------
    >>> "ikkje" in stop_words("nn"), "folk" in stop_words("nb"), "dag" in stop_words("nb")
    (True, False, False)
    """
    words = language(lang).STOP_WORDS
    if lang in _SIMPLEMMA_CHAIN:
        cache = _lemma_cache(lang)
        # a stop word's lemma is a stop word too ("ble" -> "bli"), unless the lemma is a content word in its own
        # right: only keep lemmas that are listed or that are short function-like forms of listed words
        words = words | {cache[w] for w in words if cache[w] in words or len(cache[w]) <= 3}
    return frozenset(words)


def is_stop_word(word: str, lang: str) -> bool:
    """Whether ``word`` (any case) is a stop word of ``lang``."""
    return word.lower() in stop_words(lang)


@cache
def _filler_sets(lang: str | None) -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]]:
    langs = LANGS if lang is None else (lang,)
    mods = [language(x) for x in langs]
    fillers = frozenset().union(*(m.FILLERS for m in mods))
    back = frozenset().union(*(m.BACKCHANNELS for m in mods)) - fillers
    single = frozenset(w for m in mods for w in m.DISCOURSE if " " not in w)
    multi = tuple(sorted({w for m in mods for w in m.DISCOURSE if " " in w}, key=lambda w: (-len(w), w)))
    return fillers, back, single, multi


def filler_kind(word: str, lang: str | None = None) -> str | None:
    """``"filler"`` (hesitation: eh, ehm, øh, e, em), ``"cutoff"`` (``va-``), ``"backchannel"`` (mm, mhm),
    ``"discourse"`` (liksom, altså) or ``None``. Multiword markers need context: see :func:`mark_fillers`.

    Examples
    --------
    >>> filler_kind("Ehm"), filler_kind("va-"), filler_kind("mm", "nb"), filler_kind("liksom", "nb")
    ('filler', 'cutoff', 'backchannel', 'discourse')
    >>> filler_kind("folk", "nb") is None
    True
    """
    w = word.lower()
    fillers, back, single, _ = _filler_sets(lang)
    if w in fillers:
        return "filler"
    if len(w) > 1 and w.endswith("-") and w[0].isalpha():
        return "cutoff"
    if w in back:
        return "backchannel"
    if w in single:
        return "discourse"
    return None


def is_filler(word: str, lang: str | None = None, *, discourse: bool = False) -> bool:
    """Whether a token is a hesitation filler or a cut-off word (LIA's ``discourse:filler``).

    ``discourse=True`` also counts backchannels (mm) and discourse markers (liksom, altså).

    Examples
    --------
    >>> is_filler("øh"), is_filler("e", "nn"), is_filler("liksom", "nb"), is_filler("liksom", "nb", discourse=True)
    (True, True, False, True)
    """
    kind = filler_kind(word, lang)
    return kind in ("filler", "cutoff") or (discourse and kind is not None)


def mark_fillers(tokens: Sequence[Token | str], lang: str | None = None) -> list[str | None]:
    """Filler kind per token (see :func:`filler_kind`), with multiword markers (``på en måte``, ``ikke sant``)
    and suspended compounds (``olje- og gass``: not a cut-off) resolved in context.

    Examples
    --------
    >>> mark_fillers("det var på en måte e bra".split(), "nb")
    [None, None, 'discourse', 'discourse', 'discourse', 'filler', None]
    """
    words = [t if isinstance(t, str) else t.text for t in tokens]
    low = [w.lower() for w in words]
    kinds = [filler_kind(w, lang) for w in low]
    links = _links(lang)
    for i, k in enumerate(kinds):
        if k == "cutoff" and _suspended(low, i, links):
            kinds[i] = None
    _, _, _, multi = _filler_sets(lang)
    for phrase in multi:
        parts = phrase.split()
        n = len(parts)
        for i in range(len(low) - n + 1):
            if low[i : i + n] == parts:
                kinds[i : i + n] = ["discourse"] * n
    return kinds
