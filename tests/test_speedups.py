"""The C hot loops (nlp/_speedups.c) give the results of their pure-Python references, on generated and real text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalise.langid import NGRAM_ORDERS, LanguageIdentifier, _default, _word_forms_python
from nlp.normalise.tokens import _ABBREV_DOT, _Lexicon, _lexicon, token_spans
from nlp.normalise.preprocess import _annotate_span_python, _token_info
from nlp.normalise.speedups import native

# characters each matcher of the token pattern cares about: letters in and out of ASCII (İ lower-cases to two
# characters, ² and ½ are word characters but not decimal digits, ٣ is a decimal digit), everything the placeholder,
# URL, e-mail, abbreviation, number and word alternatives look for, and Unicode spaces
PIECES = list("aZæøåÆØÅéİß²½٣0123456789_.,;:!?()[]<>\"'’-–—@+/X \n\t\u00a0\u2028\x1c") + [
    "https://", "http://", "www.", "f.eks.", "bl.a.", "ca.", "dvs.", "kr.", "[navn]", "[ bedrift]", "XX", "XXX",
    "olje- og", "va-", "e-post: a.b-c@d-e.no.", "3,5", "12:30", "2-ere", "ÅÅ", "\U0001d400", "ǅ",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
REAL = ("Ehm, vi har f.eks. samarbeidet med [bedrift] i ca. 3,5 år – ikke sant? Se www.nce.no/om-oss eller skriv "
        "til post@klynge.no. Olje- og gassindustrien, va- var det NCE-programmet? XX sa: «Det er bl.a. tillit».")

# only a run that switched the C module off on purpose leaves these out; a build without it fails the first test
requires_native = pytest.mark.skipif(bool(os.environ.get("KLYNGEKODER_PURE_PYTHON")),
                                     reason="KLYNGEKODER_PURE_PYTHON is set")


def test_the_install_built_the_c_module_unless_switched_off():
    if os.environ.get("KLYNGEKODER_PURE_PYTHON"):
        assert native is None
    else:
        assert native is not None, "nlp/_speedups.c was not built: reinstall with a C compiler (pip install -e .)"


class _EchoInfo(dict):
    """token -> (token, flag by its first character): the lemma shows which token was looked up."""

    def __missing__(self, token):
        self[token] = value = (token, "w" if token[0].isalpha() else "p")
        return value


@requires_native
@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS, TEXTS)
def test_annotate_span_tokenises_as_the_regular_expression(before, text, after):
    # the span is read as a text of its own: what is around it (words, dots, "@") must change nothing
    whole, start, end = before + text + after, len(before), len(before) + len(text)
    got = native.annotate_span(whole, start, end, _EchoInfo(), native.CodepointMap(), _ABBREV_DOT)
    assert got == _annotate_span_python(whole, start, end, _EchoInfo())
    tokens, starts, ends = token_spans(text, start)
    assert got[:3] == (starts, ends, tokens)
    assert [whole[s:e] for s, e in zip(got[0], got[1])] == tokens


@requires_native
@pytest.mark.parametrize("text", [REAL, "", "   ", "ca.", "X", "XX.", "[", "[]", "[navn", "a@b.c", "@", "www.x",
                                  "http://.", "1.", "a-", "f.e", "ab.cd.ef.", "abcde.fg.", "\U0001d400\U0001d401.",
                                  "ca..", "ca.x@y.no", "dvs.."])
def test_annotate_span_on_edge_cases(text):
    info = _token_info("nb", False)
    got = native.annotate_span(text, 0, len(text), info, info.cache, _ABBREV_DOT)
    assert got == _annotate_span_python(text, 0, len(text), info)


@requires_native
def test_a_full_token_cache_still_answers():
    # the cache is bounded like the dict it mirrors: past max_size tokens are looked up, not stored
    cache, text = native.CodepointMap(max_size=2), "ja nei kanskje ja kanskje"
    got = native.annotate_span(text, 0, len(text), _EchoInfo(), cache, _ABBREV_DOT)
    assert got == _annotate_span_python(text, 0, len(text), _EchoInfo())
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0


@requires_native
def test_annotate_span_checks_its_arguments():
    with pytest.raises(IndexError, match="span out of range"):
        native.annotate_span("abc", 2, 5, {}, native.CodepointMap(), _ABBREV_DOT)
    with pytest.raises(TypeError, match="one-character flag"):
        native.annotate_span("x", 0, 1, {"x": ("x", "ww")}, native.CodepointMap(), _ABBREV_DOT)


@requires_native
@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_word_forms_equal_the_regular_expression(text):
    assert native.word_forms(text) == _word_forms_python(text)


@requires_native
@settings(max_examples=100, deadline=None)
@given(st.lists(TEXTS, max_size=6))
def test_language_scores_equal_the_numpy_reference(texts):
    words = list(dict.fromkeys(w for t in texts + [REAL] for w in _word_forms_python(t)))
    ident = _default()
    lengths = np.array([len(w) for w in words], dtype=np.intp)
    n_grams = sum(np.maximum(lengths + 3 - k, 0) for k in NGRAM_ORDERS)
    got = np.empty((len(words), len(ident.langs)))
    want = np.empty_like(got)
    native.ngram_sums(words, ident._gram_table, ident._grams, NGRAM_ORDERS, got)
    ident._ngram_sums_python(words, n_grams, want)
    # the same n-gram rows added in another order (NumPy sums in blocks): equal to the last bits
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


@requires_native
def test_ngram_table_finds_grams_it_cannot_pack_through_the_dict():
    # "’" (U+2019) and "𝐀" are above U+1000: such n-grams are looked up in the dict, the others in the C table
    ids = {" a’": 1, "a’b": 2, "’b ": 3, " ab": 4, "ab ": 5, " 𝐀 ": 6}
    grams = np.arange(7 * 2, dtype=np.float64).reshape(7, 2)
    out = np.empty((3, 2))
    native.ngram_sums(["a’b", "ab", "𝐀"], native.NgramTable(ids), grams, (3,), out)
    assert out.tolist() == [(grams[1] + grams[2] + grams[3]).tolist(), (grams[4] + grams[5]).tolist(),
                            grams[6].tolist()]


@requires_native
def test_word_rows_gives_new_words_placeholders_once_in_order():
    native_map, python_dict = LanguageIdentifier(), LanguageIdentifier()
    python_dict._word_map = None  # the pure-Python word table
    for ident in (native_map, python_dict):
        ident._word_rows(["og", "ja"])  # rows 0 and 1
    words = ["ja", "nei", "og", "nei", "kanskje"]
    got, want = np.empty(5, dtype=np.intp), np.empty(5, dtype=np.intp)
    assert native.word_rows(words, native_map._word_map, got) == python_dict._lookup_python(words, want) == [
        "nei", "kanskje"]
    assert got.tolist() == want.tolist() == [1, -1, 0, -1, -2]
    assert native_map.word_count == python_dict.word_count == 4  # the placeholders are kept until scored
    with pytest.raises(ValueError, match="intp array"):
        native.word_rows(words, native_map._word_map, np.empty(4, dtype=np.intp))


@requires_native
@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(TEXTS, st.sampled_from(["İstanbul ΣΟΦΙΑ ΟΔΟΣ", "Eg VEIT ikkje", "rock'n'roll"])),
                max_size=6))
def test_span_scores_equal_word_forms_of_each_span(texts):
    text = "|".join(texts)
    spans, pos = [], 0
    for t in texts:
        spans.append((pos, pos + len(t)))
        pos += len(t) + 1
    fresh = LanguageIdentifier()
    got = fresh.span_scores(text, spans)
    want = fresh.text_scores([_word_forms_python(text[a:b]) for a, b in spans])  # the words are known by now
    assert got.tolist() == want.tolist()
    pure = LanguageIdentifier()
    pure._word_map = None
    np.testing.assert_allclose(pure.span_scores(text, spans), got, rtol=1e-12, atol=1e-9)


@requires_native
def test_annotate_span_fills_the_token_cache():
    info = _token_info("nb", False)
    text = REAL + " heilt-nyttordsomikkefinnes"
    got = native.annotate_span(text, 0, len(text), info, info.cache, _ABBREV_DOT)
    assert got == _annotate_span_python(text, 0, len(text), info)
    assert "heilt-nyttordsomikkefinnes" in info


@requires_native
@pytest.mark.parametrize("lang", ["nb", "nn", "da"])
def test_lexicon_hash_index_answers_as_bisection(lang):
    lex = _lexicon(lang)
    bisecting = _Lexicon.__new__(_Lexicon)
    bisecting._data, bisecting._index, bisecting._lines_cache = lex._data, None, None
    forms = [line.split("\t", 1)[0] for line in lex._lines[::499]]
    keys = forms + [f + "x" for f in forms[:200]] + [f.upper() for f in forms[:200]] + ["", "\t", "a\tb", "\ud800"]
    assert [lex.get(k) for k in keys] == [bisecting.get(k) for k in keys]
    assert len(lex) == len(lex._lines)


@requires_native
def test_lexicon_first_line_of_a_form_wins_and_lines_without_tab_are_no_entries():
    lines = sorted(["\tempty", "a\tx", "a\ty", "ab\tz", "b", "c\t", "ø\tå", "øy\tøy", "\U0001d400\t\U0001d401"])
    data = "\n".join(lines).encode()
    index = native.Lexicon(data)
    bisecting = _Lexicon.__new__(_Lexicon)
    bisecting._data, bisecting._index, bisecting._lines_cache = data, None, None
    keys = ["a", "ab", "b", "c", "ø", "øy", "d", "", "\U0001d400", "\U0001d400x"]
    assert [index.get(k, "-") for k in keys] == [bisecting.get(k, "-") for k in keys] == [
        "x", "z", "-", "", "å", "øy", "-", "empty", "\U0001d401", "-"]
    with pytest.raises(ValueError, match="line 2 sorts before line 1"):
        native.Lexicon(b"b\tx\na\ty")


def test_preprocessing_output_is_the_same_without_the_c_module(tmp_path):
    # the whole `nlp preprocess` of the bundled corpus, once in this mode and once in the other
    outs = {}
    for pure in (False, True):
        env = {k: v for k, v in os.environ.items() if k != "KLYNGEKODER_PURE_PYTHON"}
        if pure:
            env["KLYNGEKODER_PURE_PYTHON"] = "1"
        out = tmp_path / f"pre_{pure}.jsonl"
        subprocess.run([sys.executable, "-m", "nlp", "preprocess", "--corpus", "klynger", "--out", str(out)],
                       env=env, check=True, capture_output=True, text=True)
        outs[pure] = out.read_text(encoding="utf-8")
    assert outs[False] == outs[True]
    first = json.loads(outs[False].splitlines()[0])
    assert sum(len(s["meta"]["preprocess"]["flags"]) for s in first["segments"]) > 100
