"""Tokens, sentences, lemmas, stop words and fillers (tiny inline Norwegian/Danish texts)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.errors import ConfigError
from nlp.normalise.preprocess import Preprocessor, sentence_tokens
from nlp.normalise.tokens import (
    Token,
    _Lexicon,
    _lexicon,
    filler_kind,
    is_filler,
    lemma,
    lemmatize,
    mark_fillers,
    split_sentences,
    stop_words,
    token_spans,
    tokenize,
)

TEXTS = st.text(alphabet=st.sampled_from(list("abcæøå ÆØÅ.,!?-–[]X\n\t0123:'«»é")), max_size=80)


# ------------------------------------------------------------------------------------------------------ tokens
def test_hyphen_compound_stays_one_token():
    assert [t.text for t in tokenize("NCE-programmet og IT-bransjen")] == [
        "NCE-programmet",
        "og",
        "IT-bransjen",
    ]


@pytest.mark.parametrize(
    "text,placeholder",
    [
        ("Jeg snakket med [navn] i går", "[navn]"),
        ("Han jobber i [bedrift ].", "[bedrift ]"),
        ("Vi møtte XX på [sted].", "XX"),
    ],
)
def test_placeholders_are_single_tokens(text, placeholder):
    toks = tokenize(text)
    assert placeholder in [t.text for t in toks]
    assert next(t for t in toks if t.text == placeholder).kind == "placeholder"


def test_cut_off_word_flagged_but_suspended_compound_not():
    toks = tokenize("det va- var olje- og gassindustrien, sa hun")
    assert [t.text for t in toks if t.cutoff] == ["va-"]
    assert any(t.text == "olje-" and not t.cutoff for t in toks)


def test_abbreviations_numbers_urls_are_single_tokens():
    toks = tokenize("Det koster ca. 1.000 kr., f.eks. på www.nav.no i 10-tallet.")
    texts = [t.text for t in toks]
    for single in ("ca.", "1.000", "f.eks.", "www.nav.no", "10-tallet"):
        assert single in texts
    assert texts[-1] == "."


def test_offsets_point_into_the_text():
    text = "  Eh, vi   har [navn]\tog XX.  "
    for t in tokenize(text):
        assert text[t.start : t.end] == t.text


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_tokens_tile_the_non_space_text(text):
    toks = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert all(a.end <= b.start for a, b in pairwise(toks))
    assert "".join("".join(t.text.split()) for t in toks) == "".join(text.split())
    strings, starts, ends = token_spans(text)
    assert (
        strings == [t.text for t in toks]
        and starts == [t.start for t in toks]
        and ends == [t.end for t in toks]
    )


# --------------------------------------------------------------------------------------------------- sentences
def _sents(text, lang="nb"):
    return [text[a:b] for a, b in split_sentences(text, lang)]


@pytest.mark.parametrize("abbr", ["f.eks.", "bl.a.", "dvs.", "ca.", "jf."])
def test_no_split_after_abbreviation(abbr):
    assert _sents(f"Vi har {abbr} Innovasjon Norge med. Det er bra.") == [
        f"Vi har {abbr} Innovasjon Norge med.",
        "Det er bra.",
    ]


def test_osv_ends_a_sentence_before_a_capital_only():
    assert _sents("Vi har epler, pærer osv. Det er bra.") == ["Vi har epler, pærer osv.", "Det er bra."]
    assert _sents("Vi har epler osv. i kjelleren.") == ["Vi har epler osv. i kjelleren."]


def test_dialogue_dashes():
    text = "– Kommer du? – Ja, sa hun.\n– Hvorfor det?\n– Fordi. – Nei."
    assert _sents(text) == ["– Kommer du?", "– Ja, sa hun.", "– Hvorfor det?", "– Fordi.", "– Nei."]


def test_speech_tag_after_question_is_same_sentence():
    assert _sents("– Hva tror du? – spurte hun. Så gikk hun.") == [
        "– Hva tror du? – spurte hun.",
        "Så gikk hun.",
    ]


def test_ordinals_initials_and_paragraphs():
    assert _sents("Den 17. mai kom K. Hansen. Han ble\nglad\n\nny avsnitt") == [
        "Den 17. mai kom K. Hansen.",
        "Han ble\nglad",
        "ny avsnitt",
    ]


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_sentence_spans_are_ordered_trimmed_and_cover_all_text(text):
    spans = split_sentences(text, "nb")
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans))
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in spans)
    assert "".join("".join(text[a:b].split()) for a, b in spans) == "".join(text.split())


# ------------------------------------------------------------------------------------------------------ lemmas
@pytest.mark.parametrize(
    "word,lang,expected",
    [
        ("bedriftene", "nb", "bedrift"),
        ("samarbeider", "nb", "samarbeide"),
        ("var", "nb", "være"),
        ("gjekk", "nn", "gå"),
        ("kjem", "nn", "kome"),
        ("verksemda", "nn", "verksemd"),
        ("virksomhederne", "da", "virksomhed"),
        ("gik", "da", "gå"),
    ],
)
def test_lemmas(word, lang, expected):
    assert lemma(word, lang) == expected


def test_placeholders_and_punctuation_never_lemmatised():
    assert lemmatize(tokenize("[navn] og XX sa."), "nb") == ["[navn]", "og", "XX", "si", "."]
    assert lemmatize(["[bedrift]", "XX", "2019"], "da") == ["[bedrift]", "XX", "2019"]


def test_ud_quote_convention_for_guillemets():
    assert lemmatize(["«", "»"], "nb") == ['"', '"']


def test_harmonise_maps_nynorsk_to_bokmal():
    assert lemmatize(["verksemda", "ikkje", "røynsler"], "nn", harmonise=True) == [
        "virksomhet",
        "ikke",
        "erfaring",
    ]
    assert lemmatize(["verksemda"], "nn") == ["verksemd"]


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ConfigError, match="nb, nn, da"):
        lemma("hus", "de")


def test_lemmatize_accepts_tokens_and_strings_alike():
    toks = tokenize("Bedriftene samarbeider")
    assert lemmatize(toks, "nb") == lemmatize([t.text for t in toks], "nb")
    assert isinstance(toks[0], Token)


# ------------------------------------------------------------------------------------------ stop words, fillers
@pytest.mark.parametrize("word", ["by", "dag", "folk", "tid", "sted", "gang", "år", "bedrift"])
def test_stop_words_do_not_eat_content_words(word):
    assert word not in stop_words("nb")
    assert word not in stop_words("nn")


@pytest.mark.parametrize(
    "lang,word",
    [
        ("nb", "ikke"),
        ("nb", "jeg"),
        ("nb", "ble"),
        ("nn", "ikkje"),
        ("nn", "eg"),
        ("da", "ikke"),
        ("da", "hvad"),
        ("da", "af"),
    ],
)
def test_function_words_are_stop_words(lang, word):
    assert word in stop_words(lang)


@pytest.mark.parametrize(
    "word,lang,kind",
    [
        ("eh", "nb", "filler"),
        ("Ehm", "nb", "filler"),
        ("øh", "da", "filler"),
        ("e", "nn", "filler"),
        ("mm", "nb", "backchannel"),
        ("liksom", "nb", "discourse"),
        ("altså", "nb", "discourse"),
        ("ligesom", "da", "discourse"),
        ("va-", "nb", "cutoff"),
        ("hus", "nb", None),
        ("å", "nb", None),
    ],
)
def test_filler_kinds(word, lang, kind):
    assert filler_kind(word, lang) == kind


def test_is_filler_matches_lia_definition():
    assert is_filler("em") and is_filler("ve-")
    assert not is_filler("liksom", "nb") and is_filler("liksom", "nb", discourse=True)


def test_multiword_fillers_in_context():
    assert mark_fillers(["det", "var", "på", "en", "måte", "bra", ",", "ikke", "sant"], "nb") == [
        None,
        None,
        "discourse",
        "discourse",
        "discourse",
        None,
        None,
        "discourse",
        "discourse",
    ]
    assert mark_fillers(["det", "er", "ikke", "også", "godt", ",", "ikke", "også"], "da")[-2:] == [
        "discourse",
        "discourse",
    ]
    assert mark_fillers(["olje-", "og", "gass"], "nb") == [None, None, None]
    assert mark_fillers(["han", "va-", "var", "der"], "nb") == [None, "cutoff", None, None]


def test_packaged_lexicons_agree_with_simplemma():
    # nlp/lang/lexicon_*.tsv.gz are simplemma's own dictionaries re-encoded for fast loading: same entries, same
    # lemmas through simplemma's strategies (dictionary hits, misses, affix decomposition, the nn -> nb chain)
    import simplemma
    from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

    from nlp.normalise.tokens import _lemmatizer, _lexicon

    lex = _lexicon("nn")
    ref = DEFAULT_DICTIONARY_FACTORY.get_dictionary("nn")
    assert len(lex) == len(ref)
    sample = list(ref)[::997]
    assert all(lex.get(k) == ref.get(k) for k in sample)
    assert lex.get("ikkjeeksisterandeord") is None and lex.get("") == ref.get("")
    words = ["verksemda", "Gjekk", "bedriftene", "samarbeidsavtalane", "olje-", "xqzv", "næringslivsaktørane"]
    for chain in ("nb", ("nn", "nb"), "da"):
        assert [_lemmatizer().lemmatize(w, chain) for w in words] == [
            simplemma.lemmatize(w, lang=chain) for w in words
        ]


@pytest.mark.parametrize("lang", ["nb", "nn", "da", "sv", "en"])
def test_dictionary_shortcut_gives_simplemmas_lemma(lang):
    # wherever the shortcut answers, it is what simplemma's full pipeline returns for the language chain
    import unicodedata

    from nlp.normalise.tokens import _lemma_cache, _lemmatizer, _lexicon

    cache = _lemma_cache(lang)
    forms = list(_lexicon(lang))[::211]
    forms += (
        [f.capitalize() for f in forms[:300]]
        + [f.upper() for f in forms[:300]]
        + [f + "ene" for f in forms[:300]]
    )
    forms += [unicodedata.normalize("NFD", f) for f in forms[:300]] + ["一", "²", "ʼa", "o'", "va-", "3d", ""]
    answered = 0
    for form in forms:
        short = cache.dictionary_lemma(form)
        if short is not None:
            answered += 1
            assert short == _lemmatizer().lemmatize(form, cache.chain), form
    assert answered > len(forms) / 3


# ------------------------------------------------------------------------- one pass over many spans, Unicode, caches
# characters each alternative of the token pattern cares about: letters in and out of ASCII (İ lower-cases to two
# characters, ² and ½ are word characters but not decimal digits, ٣ is a decimal digit), everything the placeholder,
# URL, e-mail, abbreviation, number and word alternatives look for, and Unicode spaces
PIECES = list("aZæøåÆØÅéİß²½٣0123456789_.,;:!?()[]<>\"'’-–—@+/X \n\t\u00a0\u2028\x1c") + [
    "https://",
    "http://",
    "www.",
    "f.eks.",
    "bl.a.",
    "ca.",
    "dvs.",
    "kr.",
    "[navn]",
    "[ bedrift]",
    "XX",
    "XXX",
    "olje- og",
    "va-",
    "e-post: a.b-c@d-e.no.",
    "3,5",
    "12:30",
    "2-ere",
    "ÅÅ",
    "\U0001d400",
    "ǅ",
    "ΟΔΟΣ",
    "http:",
    "ikke sant",
    "på en måte",
    "Ja. Nei",
    " – ",
    "word. ",
]
PIECE_TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
REAL = (
    "Ehm, vi har f.eks. samarbeidet med [bedrift] i ca. 3,5 år – ikke sant? Se www.nce.no/om-oss eller skriv "
    "til post@klynge.no. Olje- og gassindustrien, va- var det NCE-programmet? XX sa: «Det er bl.a. tillit»."
)


@settings(max_examples=400, deadline=None)
@given(PIECE_TEXTS, st.integers(0, 50))
def test_token_spans_are_the_tokens_of_the_token_pattern(text, offset):
    # token_spans (one re.split with shortcuts for common tokens) against tokenize (finditer over the named pattern)
    toks = tokenize(text)
    assert token_spans(text, offset) == (
        [t.text for t in toks],
        [t.start + offset for t in toks],
        [t.end + offset for t in toks],
    )
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert all(not text[a.end : b.start].strip() for a, b in pairwise(toks))  # only whitespace between tokens


def test_unicode_edge_cases_keep_their_offsets():
    text = "İstanbul ΟΔΟΣ ǅemal ß² \U0001d400x ٣4"
    assert token_spans(text) == (
        ["İstanbul", "ΟΔΟΣ", "ǅemal", "ß²", "\U0001d400x", "٣4"],
        [0, 9, 14, 20, 23, 26],
        [8, 13, 19, 22, 25, 28],
    )
    assert lemmatize(["ΟΔΟΣ"], "nb") == ["οδος"]  # lower-cased with the final sigma


@settings(max_examples=300, deadline=None)
@given(PIECE_TEXTS, PIECE_TEXTS, PIECE_TEXTS)
def test_a_span_is_annotated_as_a_text_of_its_own(before, text, after):
    # what is around the span (words, dots, "@", a multiword marker cut in two) must change nothing
    pre = Preprocessor(lang="nb")
    whole, start = before + text + after, len(before)
    inside, alone = pre.annotate(whole, start=start, end=start + len(text)), pre.annotate(text)
    assert inside.starts == [s + start for s in alone.starts] and inside.ends == [
        e + start for e in alone.ends
    ]
    assert (inside.lemmas, inside.flags) == (alone.lemmas, alone.flags)
    assert [whole[a:b] for a, b in zip(inside.starts, inside.ends)] == token_spans(text)[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PIECE_TEXTS, PIECE_TEXTS, st.sampled_from(["nb", "nn", "da", "sv"])), max_size=6))
def test_spans_annotated_in_one_pass_are_annotated_as_each_alone(parts):
    # segments of one transcript (gaps between them, languages mixed) as preprocess_transcript annotates them
    text, spans, langs = "", [], []
    for gap, seg, lang in parts:
        text += gap
        spans.append((len(text), len(text) + len(seg)))
        langs.append(lang)
        text += seg
    pre = Preprocessor()
    together = pre._annotate_spans(text, spans, langs, sentences=True)
    for (a, b), lang, ann in zip(spans, langs, together):
        alone = pre.annotate(text, lang=lang, start=a, end=b)
        assert (ann.lang, ann.starts, ann.ends, ann.lemmas, ann.flags) == (
            alone.lang,
            alone.starts,
            alone.ends,
            alone.lemmas,
            alone.flags,
        )
        assert ann.sentences == sentence_tokens(text[a:b], [s - a for s in alone.starts], lang)


def test_context_flags_stay_within_their_segment():
    text = "R: Vi va-\nI: og ikke\nR: sant, altså"
    pre = Preprocessor(lang="nb")
    anns = pre._annotate_spans(text, [(3, 9), (13, 20), (24, 35)], ["nb"] * 3)
    # "va-" ends its segment: a cut-off (the "og" after it is in another turn); "ikke" and "sant" are in two turns
    assert [a.flags for a in anns] == ["sc", "ss", "wp" + pre.annotate("altså").flags]
    assert pre.annotate("Vi va- og ikke sant").flags == "swsdd"


def test_a_full_token_cache_still_answers(monkeypatch):
    # the token -> (lemma, flag) cache is bounded: past the bound tokens are looked up, not stored
    from nlp.normalise import preprocess

    want = Preprocessor(lang="da").annotate(REAL)
    monkeypatch.setattr(preprocess, "_MAX_CACHED", 2)
    small = preprocess._TokenInfo("da", False)
    monkeypatch.setattr(preprocess, "_token_info", lambda lang, harmonise: small)
    got = Preprocessor(lang="da").annotate(REAL)
    assert (got.starts, got.lemmas, got.flags) == (want.starts, want.lemmas, want.flags)
    assert len(small) == 2


def test_lexicon_answers_as_the_first_line_of_each_form():
    # a dictionary built from the lines (lines without a tab are no entries; the first line of a form wins)
    lines = sorted(
        ["\tempty", "a\tx", "a\ty", "ab\tz", "b", "c\t", "ø\tå", "øy\tøy", "\U0001d400\t\U0001d401"]
        + [f"w{i:04d}\tl{i}" for i in range(100)]
    )
    want: dict[str, str] = {}
    for line in lines:
        if "\t" in line:
            want.setdefault(*line.split("\t", 1))
    lexicon = _Lexicon("\n".join(lines).encode())
    keys = [*want, "b", "d", "a\tx", "a\nb", "\ud800", "w0100", "w", "zz", "\U0001d400x"]
    assert {k: lexicon.get(k) for k in keys} == {k: want.get(k) for k in keys}
    assert len(lexicon) == len(lines) and list(lexicon)[:3] == ["", "a", "a"]


@pytest.mark.parametrize("lang", ["nb", "da"])
def test_packaged_lexicon_lookups_equal_a_dictionary_of_its_lines(lang):
    lexicon = _lexicon(lang)
    want: dict[str, str] = {}
    for line in lexicon._data.decode("utf-8").strip("\n").split("\n"):
        if "\t" in line:
            want.setdefault(*line.split("\t", 1))
    forms = list(want)[::97]
    keys = (
        forms
        + [k + "x" for k in forms[:2000]]
        + [k.upper() for k in forms[:2000]]
        + [k[:-1] for k in forms[:2000]]
    )
    assert [lexicon.get(k) for k in keys] == [want.get(k) for k in keys]


def test_unsorted_lexicon_is_refused():
    with pytest.raises(ValueError, match="not sorted"):
        _Lexicon("\n".join(f"{w}\tx" for w in ["b"] * 16 + ["a"] * 16).encode())
