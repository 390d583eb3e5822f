"""Tokens, sentences, lemmas, stop words and fillers (tiny inline Norwegian/Danish texts)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.errors import ConfigError
from nlp.normalise.tokens import (
    Token,
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
    assert [t.text for t in tokenize("NCE-programmet og IT-bransjen")] == ["NCE-programmet", "og", "IT-bransjen"]


@pytest.mark.parametrize("text,placeholder", [("Jeg snakket med [navn] i går", "[navn]"),
                                              ("Han jobber i [bedrift ].", "[bedrift ]"),
                                              ("Vi møtte XX på [sted].", "XX")])
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
        assert text[t.start:t.end] == t.text


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_tokens_tile_the_non_space_text(text):
    toks = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in toks)
    assert all(a.end <= b.start for a, b in pairwise(toks))
    assert "".join("".join(t.text.split()) for t in toks) == "".join(text.split())
    strings, starts, ends = token_spans(text)
    assert strings == [t.text for t in toks] and starts == [t.start for t in toks] and ends == [t.end for t in toks]


# --------------------------------------------------------------------------------------------------- sentences
def _sents(text, lang="nb"):
    return [text[a:b] for a, b in split_sentences(text, lang)]


@pytest.mark.parametrize("abbr", ["f.eks.", "bl.a.", "dvs.", "ca.", "jf."])
def test_no_split_after_abbreviation(abbr):
    assert _sents(f"Vi har {abbr} Innovasjon Norge med. Det er bra.") == [
        f"Vi har {abbr} Innovasjon Norge med.", "Det er bra."]


def test_osv_ends_a_sentence_before_a_capital_only():
    assert _sents("Vi har epler, pærer osv. Det er bra.") == ["Vi har epler, pærer osv.", "Det er bra."]
    assert _sents("Vi har epler osv. i kjelleren.") == ["Vi har epler osv. i kjelleren."]


def test_dialogue_dashes():
    text = "– Kommer du? – Ja, sa hun.\n– Hvorfor det?\n– Fordi. – Nei."
    assert _sents(text) == ["– Kommer du?", "– Ja, sa hun.", "– Hvorfor det?", "– Fordi.", "– Nei."]


def test_speech_tag_after_question_is_same_sentence():
    assert _sents("– Hva tror du? – spurte hun. Så gikk hun.") == ["– Hva tror du? – spurte hun.",
                                                                  "Så gikk hun."]


def test_ordinals_initials_and_paragraphs():
    assert _sents("Den 17. mai kom K. Hansen. Han ble\nglad\n\nny avsnitt") == [
        "Den 17. mai kom K. Hansen.", "Han ble\nglad", "ny avsnitt"]


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_sentence_spans_are_ordered_trimmed_and_cover_all_text(text):
    spans = split_sentences(text, "nb")
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans))
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in spans)
    assert "".join("".join(text[a:b].split()) for a, b in spans) == "".join(text.split())


# ------------------------------------------------------------------------------------------------------ lemmas
@pytest.mark.parametrize("word,lang,expected", [
    ("bedriftene", "nb", "bedrift"), ("samarbeider", "nb", "samarbeide"), ("var", "nb", "være"),
    ("gjekk", "nn", "gå"), ("kjem", "nn", "kome"), ("verksemda", "nn", "verksemd"),
    ("virksomhederne", "da", "virksomhed"), ("gik", "da", "gå"),
])
def test_lemmas(word, lang, expected):
    assert lemma(word, lang) == expected


def test_placeholders_and_punctuation_never_lemmatised():
    assert lemmatize(tokenize("[navn] og XX sa."), "nb") == ["[navn]", "og", "XX", "si", "."]
    assert lemmatize(["[bedrift]", "XX", "2019"], "da") == ["[bedrift]", "XX", "2019"]


def test_ud_quote_convention_for_guillemets():
    assert lemmatize(["«", "»"], "nb") == ['"', '"']


def test_harmonise_maps_nynorsk_to_bokmal():
    assert lemmatize(["verksemda", "ikkje", "røynsler"], "nn", harmonise=True) == ["virksomhet", "ikke", "erfaring"]
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


@pytest.mark.parametrize("lang,word", [("nb", "ikke"), ("nb", "jeg"), ("nb", "ble"), ("nn", "ikkje"), ("nn", "eg"),
                                       ("da", "ikke"), ("da", "hvad"), ("da", "af")])
def test_function_words_are_stop_words(lang, word):
    assert word in stop_words(lang)


@pytest.mark.parametrize("word,lang,kind", [
    ("eh", "nb", "filler"), ("Ehm", "nb", "filler"), ("øh", "da", "filler"), ("e", "nn", "filler"),
    ("mm", "nb", "backchannel"), ("liksom", "nb", "discourse"), ("altså", "nb", "discourse"),
    ("ligesom", "da", "discourse"), ("va-", "nb", "cutoff"), ("hus", "nb", None), ("å", "nb", None),
])
def test_filler_kinds(word, lang, kind):
    assert filler_kind(word, lang) == kind


def test_is_filler_matches_lia_definition():
    assert is_filler("em") and is_filler("ve-")
    assert not is_filler("liksom", "nb") and is_filler("liksom", "nb", discourse=True)


def test_multiword_fillers_in_context():
    assert mark_fillers(["det", "var", "på", "en", "måte", "bra", ",", "ikke", "sant"], "nb") == [
        None, None, "discourse", "discourse", "discourse", None, None, "discourse", "discourse"]
    assert mark_fillers(["det", "er", "ikke", "også", "godt", ",", "ikke", "også"], "da")[-2:] == ["discourse", "discourse"]
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
        assert [_lemmatizer().lemmatize(w, chain) for w in words] == [simplemma.lemmatize(w, lang=chain)
                                                                      for w in words]


@pytest.mark.parametrize("lang", ["nb", "nn", "da", "sv", "en"])
def test_dictionary_shortcut_gives_simplemmas_lemma(lang):
    # wherever the shortcut answers, it is what simplemma's full pipeline returns for the language chain
    import unicodedata

    from nlp.normalise.tokens import _lemma_cache, _lemmatizer, _lexicon

    cache = _lemma_cache(lang)
    forms = [line.split("\t", 1)[0] for line in _lexicon(lang)._lines[::211]]
    forms += [f.capitalize() for f in forms[:300]] + [f.upper() for f in forms[:300]] + [f + "ene" for f in forms[:300]]
    forms += [unicodedata.normalize("NFD", f) for f in forms[:300]] + ["一", "²", "ʼa", "o'", "va-", "3d", ""]
    answered = 0
    for form in forms:
        short = cache.dictionary_lemma(form)
        if short is not None:
            answered += 1
            assert short == _lemmatizer().lemmatize(form, cache.chain), form
    assert answered > len(forms) / 3
