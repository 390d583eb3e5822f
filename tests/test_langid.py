"""Language identification among nb, nn, da, sv, en (short inline texts; the full measurement is bench/lemmas.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalise.langid import (
    WORD_BIAS,
    LanguageIdentifier,
    _KeyTable,
    _load_profiles,
    char_ngrams,
    identify_document,
    identify_language,
    language_scores,
    word_forms,
)
from nlp.normalise.tokens import identify_language as identify_from_normalise


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Jeg vet ikke hva jeg skal si om det, men vi har et godt samarbeid med bedriftene.", "nb"),
        ("Eg veit ikkje kva eg skal seie om det, men vi har eit godt samarbeid med verksemdene.", "nn"),
        ("Jeg ved ikke hvad jeg skal sige om det, men vi har et godt samarbejde med virksomhederne.", "da"),
        ("Jag vet inte vad jag ska säga om det, men vi har ett bra samarbete med företagen.", "sv"),
        ("I don't know what to say about that, but we have a good relationship with the companies.", "en"),
    ],
)
def test_clear_sentences(text, lang):
    assert identify_language(text) == lang
    assert identify_from_normalise(text) == lang


def test_short_turn_keeps_the_transcript_language():
    assert identify_language("ja", prior="nn") == "nn"
    assert identify_language("mm", prior="da") == "da"
    assert identify_language("", default="da") == "da"


def test_clear_evidence_overrides_the_prior():
    assert identify_language("Det ved jeg ikke, hvad synes du om virksomhederne?", prior="nb") == "da"


def test_document_and_turns():
    turns = [
        "Eg veit ikkje kva eg skal seie.",
        "ja",
        "Det var fint, og eg likte det godt.",
        "Hvad synes I om det samarbejde, og hvordan har virksomhederne oplevet det?",
    ]
    doc, per_turn = identify_document(turns)
    assert doc == "nn"
    assert per_turn == ["nn", "nn", "nn", "da"]


def test_scores_are_relative_log_likelihoods():
    s = language_scores("Eg veit ikkje.")
    assert set(s) == {"nb", "nn", "da", "sv", "en"}
    assert max(s, key=s.get) == "nn"


def test_custom_profiles_and_restricted_languages():
    profiles = {
        "aa": {"ngrams": {" a ": 30, " ab": 10}, "ngram_total": 40},
        "bb": {"ngrams": {" b ": 30, " ba": 10}, "ngram_total": 40},
    }
    ident = LanguageIdentifier(profiles, langs=("aa", "bb"))
    assert ident.identify("a a a b") == "aa"
    assert ident.identify("b b") == "bb"


def test_word_scores_are_the_naive_bayes_formula():
    # scores must equal the closed form, for n-grams in one, both or no profile
    from nlp.normalise.langid import char_ngrams

    profiles = {
        "aa": {"ngrams": {" ab": 3, "ab ": 1}, "ngram_total": 4},
        "bb": {"ngrams": {" ab": 1, " ba": 5}, "ngram_total": 6},
    }
    ident = LanguageIdentifier(profiles, langs=("aa", "bb"), alpha=0.5)
    v = 3  # distinct n-grams over both profiles
    for word in ("ab", "ba", "zz"):
        for k, lang in enumerate(("aa", "bb")):
            p = profiles[lang]
            denom = math.log(p["ngram_total"] + 0.5 * v)
            grams = char_ngrams(word)
            want = sum(math.log(p["ngrams"].get(g, 0) + 0.5) - denom for g in grams) * math.log2(
                len(word) + 2
            )
            assert ident.word_scores(word)[k] == pytest.approx(want / len(grams), rel=1e-12)


def test_word_table_is_bounded_and_scores_do_not_change_when_it_starts_afresh():
    small = LanguageIdentifier(max_words=3)
    big = LanguageIdentifier()
    texts = [["eg", "veit", "ikkje"], ["jeg", "ved", "ikke", "hvad"], [], ["vi", "har", "samarbeid"]]
    for words in texts:  # one batch per text: the table starts afresh whenever a batch would pass the bound
        assert small.text_scores([words])[0] == pytest.approx(big.text_scores([words])[0])
        assert small.word_count <= 4
    got = small.text_scores(texts)  # a batch larger than the bound is kept whole
    assert got.shape == (4, len(small.langs)) and not got[2].any()
    assert got == pytest.approx(big.text_scores(texts))
    assert small.scores(["samarbeid"]) == pytest.approx(big.scores(["samarbeid"]))


def test_restricting_languages_drops_the_n_grams_of_the_others():
    # "bb" only has " b ": with langs=("aa",) it must not count among the distinct n-grams of the smoothing
    profiles = {
        "aa": {"ngrams": {" a ": 2}, "ngram_total": 2},
        "bb": {"ngrams": {" b ": 5}, "ngram_total": 5},
    }
    only_aa = LanguageIdentifier(profiles, langs=("aa",), alpha=1.0)
    assert only_aa.langs == ("aa",) and only_aa._grams.shape == (2, 1)  # the row of unknown n-grams and " a "
    assert only_aa.word_scores("a")[0] == pytest.approx(math.log(3 / 3) * math.log2(3))
    assert only_aa.word_scores("b")[0] == pytest.approx(math.log(1 / 3) * math.log2(3))


def test_broken_profile_file_is_a_clear_error(tmp_path, monkeypatch):
    from nlp.errors import ModelFileError
    from nlp.normalise import langid

    monkeypatch.setattr(langid, "DATA_DIR", tmp_path)
    with pytest.raises(ModelFileError, match="are missing"):
        LanguageIdentifier()
    (tmp_path / "langid.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ModelFileError, match="not a language profile file"):
        LanguageIdentifier()
    np.savez(
        tmp_path / "langid.npz",
        langs=np.array(["nb"]),
        grams=np.array([" a ", "ab "]),
        counts=np.zeros((3, 1), dtype=np.int64),
        totals=np.array([1]),
    )
    with pytest.raises(ModelFileError, match="do not fit together"):
        LanguageIdentifier()


# ------------------------------------------------------------------ word forms and n-gram scores against references
PIECES = list("aZæøåÆØÅéİß²½٣0123456789_.,;:!?()[]<>\"'’-–—@+/X \n\t\u00a0\u2028") + [
    "ΟΔΟΣ",
    "Σ",
    "rock'n'roll",
    "Eg VEIT ikkje",
    "\U0001d400",
    "ǅ",
    "ŉ",
    "i\u0307",
    "-'",
    "'-a",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def _letter(c: str) -> bool:
    """A word character that is no decimal digit and no underscore (the regular expression's ``[^\\W\\d_]``)."""
    return c.isalnum() and not c.isdecimal()


def _scanned_word_forms(text: str) -> list[str]:
    """Runs of letters, joined by single hyphens or apostrophes between letters, of the lower-cased text."""
    low, words, i = text.lower(), [], 0
    while i < len(low):
        if not _letter(low[i]):
            i += 1
            continue
        j = i
        while True:
            while j < len(low) and _letter(low[j]):
                j += 1
            if j + 1 < len(low) and low[j] in "-'’" and _letter(low[j + 1]):
                j += 1
                continue
            break
        words.append(low[i:j])
        i = j
    return words


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_word_forms_are_runs_of_letters(text):
    assert word_forms(text) == _scanned_word_forms(text)


def test_word_forms_of_unicode_edge_cases():
    # İ lower-cases to i + a combining dot (no letter); a final capital sigma becomes ς, an inner one σ
    assert word_forms("İstanbul ΟΔΟΣ ΣΟΦΙΑ ǅemal") == ["i", "stanbul", "οδος", "σοφια", "ǆemal"]


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXTS, max_size=6))
def test_word_scores_equal_the_sum_over_a_dictionary_of_n_grams(texts):
    # the array path (code points -> n-gram keys -> hash table -> rows) against a dict of n-gram strings
    ident = LanguageIdentifier()
    names, grams, counts, totals = _load_profiles()
    columns = [names.index(lang) for lang in ident.langs]
    counts, totals = counts[:, columns], totals[columns]
    seen = counts.any(axis=1)
    logp = {g: np.log(np.where(c > 0, c + 0.1, 0.1)) for g, c, s in zip(grams, counts, seen) if s}
    denoms = np.log(totals + 0.1 * int(seen.sum()))
    unknown = np.log(np.full(len(columns), 0.1))
    words = list(dict.fromkeys(w for t in texts + ["Ehm, vi har f.eks. samarbeidet"] for w in word_forms(t)))
    words += ["\U0001d400", "ŉ", "x" * 40]
    got = ident.text_scores([[w] for w in words])
    for w, row in zip(words, got):
        grams_of = char_ngrams(w)
        total = sum((logp.get(g, unknown) - denoms for g in grams_of), np.zeros(len(columns)))
        bias = np.array([WORD_BIAS.get(lang, 0.0) for lang in ident.langs])
        want = total / len(grams_of) * math.log2(len(w) + 2) + bias
        np.testing.assert_allclose(row, want, rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 2**62), unique=True, max_size=300), st.lists(st.integers(0, 2**62), max_size=100)
)
def test_key_table_finds_each_key_and_nothing_else(keys, others):
    table = _KeyTable(np.array(keys, dtype=np.int64))
    where = {k: i for i, k in enumerate(keys)}
    probes = keys + others + [k + 1 for k in keys[:20]]
    assert table.positions(np.array(probes, dtype=np.int64)).tolist() == [where.get(k, -1) for k in probes]
