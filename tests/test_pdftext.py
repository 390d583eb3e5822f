"""PDF-extracted text: page marks, page numbers, joined lines, hyphens kept or dropped, footnotes, NFC, offset maps."""

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.errors import InputError
from nlp.ingest.pdftext import clean_pdf_text, clean_pdf_text_report, read_pdf_text

LONG = "Klyngen har mange bedrifter som samarbeider tett om kunnskap og innovasjon i regionen"  # ~86 chars


def _dbl(*lines: str) -> str:
    """Double-spaced extraction: every line followed by an empty line."""
    return "".join(f"{ln} \n\n" for ln in lines)


def _check_map(raw: str, text: str, m) -> None:
    for i, ch in enumerate(text):
        if ch.isalnum():
            r = m.to_raw(i)
            got = unicodedata.normalize("NFC", raw[r : r + 2])[0]
            assert got == ch, (i, ch, raw[r : r + 5])


def test_page_start_mark_and_page_number_removed_sentence_joined():
    cont = "og dette fortsetter med enda flere ord som fyller hele linjen helt ut mot kanten"
    raw = _dbl(" Forord", LONG, cont) + "12 \n" + _dbl(" på neste side med mer tekst.")
    text, m = clean_pdf_text(raw)
    assert text.startswith("Forord\n\n")
    assert "12" not in text
    assert f"{LONG} {cont} på neste side med mer tekst." in text
    _check_map(raw, text, m)
    assert raw[m.to_raw(text.index("på neste"))] == "p"


def test_number_inside_a_line_is_kept_and_zero_is_not_a_page_number():
    raw = _dbl(LONG, "Stor bedrift 100+", "0", "Tabell 2 viser tallene.")
    text, _ = clean_pdf_text(raw)
    assert "Stor bedrift 100+" in text
    assert "\n0\n" in text or text.count("0") >= 3


@pytest.mark.parametrize(
    ("end", "start", "expected"),
    [
        ("er for å utvikle klyngen. NCE-", "programmet skal velge ut", "klyngen. NCE-programmet skal"),
        ("gode relasjoner til FoU-", "miljøer i regionen", "FoU-miljøer i"),
        ("i Lillehammer og Midt-", "Gudbrandsdalen som er", "Midt-Gudbrandsdalen"),
        ("for klyngers konkurranse-", "og innovasjonsevne.", "konkurranse- og innovasjonsevne."),
        ("er også ofte bruker-", "eller etterspørselsdrevet.", "bruker- eller etterspørselsdrevet."),
        ("tidlig på 2000-", "tallet ble klyngen", "2000-tallet"),
        ("i løpet av de siste tre-", "fire år har de", "tre-fire år"),
        ("hentet fra https://www.ssb.no/virksomheter-", "foretak-og-regnskap", "virksomheter-foretak-og"),
        (
            "de ansatte har et godt sam-",
            "arbeid med hverandre",
            "godt samarbeid med",
        ),  # wordfreq: common word
    ],
)
def test_line_end_hyphens(end, start, expected):
    raw = _dbl(LONG, end.ljust(80), start + " og mye mer tekst her som fyller linjen helt ut til kanten.")
    text, m = clean_pdf_text(raw)
    assert expected in text, text
    _check_map(raw, text, m)


def test_hyphen_judged_by_the_document_itself():
    # the closed form used elsewhere: the line-end hyphen was a line-break hyphen
    raw = _dbl(
        LONG,
        "Dette handler om klyngeini-".ljust(84),
        "tiativ i regionen og mer tekst som fyller linjen helt ut.",
        "Et klyngeinitiativ er viktig.",
    )
    assert "klyngeinitiativ i regionen" in clean_pdf_text(raw)[0]
    # the hyphenated form used elsewhere: keep it
    raw = _dbl(
        LONG,
        "Hedmark blir ledende på musikk-".ljust(84),
        "eksport og mer tekst som fyller linjen helt ut til kanten.",
        "Bli ledende region for musikk-eksport.",
    )
    assert "musikk-eksport og mer" in clean_pdf_text(raw)[0]
    # neither, and no common closed word: keep (theses are rarely typeset with hyphenation)
    raw = _dbl(
        LONG,
        "en ny elektronisk musikk-".ljust(84),
        "kurator og mer tekst som fyller linjen helt ut til kanten.",
    )
    assert "musikk-kurator" in clean_pdf_text(raw)[0]


def test_paragraph_breaks_from_blank_space_line_and_short_line():
    raw = _dbl(LONG, "slutt på avsnittet.", " ", "Nytt avsnitt begynner her.", "3.1 Kvalitativ metode", LONG)
    text, m = clean_pdf_text(raw)
    paras = text.split("\n\n")
    assert paras[0] == f"{LONG} slutt på avsnittet."
    assert "Nytt avsnitt begynner her." in paras
    assert "3.1 Kvalitativ metode" in paras
    _check_map(raw, text, m)


def test_single_spaced_page_empty_line_is_a_paragraph_break():
    raw = f"{LONG}\n{LONG}\n{LONG}\n\n{LONG}\n{LONG}\n"
    text, _ = clean_pdf_text(raw)
    assert text.count("\n\n") == 1
    assert text.split("\n\n")[0] == " ".join([LONG] * 3)


def test_footnote_cutting_a_sentence_is_moved_behind_it():
    raw = (
        _dbl(LONG, "der tillit mellom bedriftene og fasilitatorer som")
        + " " * 48
        + "\n1 BIA er et program som støtter forskningsmiljøer. \n\n(forskningsrådet, u.å.) \n"
        + _dbl(" organiserer møteplasser, letter kunnskapsspredning.", "Neste setning her.")
    )
    text, m, report = clean_pdf_text_report(raw)
    assert report.footnotes_moved == 1
    assert "fasilitatorer som organiserer møteplasser, letter kunnskapsspredning." in text
    assert "\n\n1 BIA er et program som støtter forskningsmiljøer. (forskningsrådet, u.å.)\n\n" in text
    _check_map(raw, text, m)
    assert raw[m.to_raw(text.index("BIA"))] == "B"


def test_decomposed_characters_become_nfc_with_map():
    raw = _dbl("Pa\u030a Ro\u0308ros har de ma\u030alt mye arbeid over mange a\u030ar.")
    text, m = clean_pdf_text(raw)
    assert unicodedata.is_normalized("NFC", text)
    assert text == "På Röros har de målt mye arbeid over mange år."
    _check_map(raw, text, m)
    assert m.to_raw(text.index("Röros") + 2) == raw.index("r", raw.index("Ro"))


def test_crlf_line_ends_map_back():
    raw = _dbl(" Forord", LONG, "og slutt.").replace("\n", "\r\n")
    text, m = clean_pdf_text(raw)
    assert text == f"Forord\n\n{LONG} og slutt."
    _check_map(raw, text, m)


WORDS = st.sampled_from(
    [
        "klynge",
        "bedrift",
        "kunnskap",
        "Røros",
        "og",
        "i",
        "FoU-miljø",
        "Snowball",
        "deling",
        "nettverk",
        "a\u030arsak",
        "innovasjon",
        "samarbeid",
        "møte",
    ]
)


@st.composite
def _pdf_like(draw):
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        words = draw(st.lists(WORDS, min_size=1, max_size=14))
        line = " ".join(words)
        style = draw(st.sampled_from(["plain", "page", "hyphen", "pagenum", "blank", "conj"]))
        if style == "page":
            line = " " + line
        elif style == "hyphen":
            line = line + " kunn-"
        elif style == "conj":
            line = line + " konkurranse-"
        elif style == "pagenum":
            lines.append(str(draw(st.integers(1, 300))) + " ")
        elif style == "blank":
            lines.append(" ")
        lines.append(line + draw(st.sampled_from(["", " ", "  "])))
    sep = draw(st.sampled_from(["\n\n", "\n"]))
    return sep.join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(_pdf_like())
def test_property_offset_map_points_at_the_same_character_and_no_letter_is_lost(raw):
    text, m = clean_pdf_text(raw)
    _check_map(raw, text, m)
    letters_in = Counter(ch for ch in unicodedata.normalize("NFC", raw) if ch.isalpha())
    letters_out = Counter(ch for ch in text if ch.isalpha())
    assert letters_in == letters_out
    assert all(0 <= m.to_raw(i) <= len(raw) for i in range(len(text) + 1))


def test_read_pdf_text_transcript_and_record(tmp_path):
    p = tmp_path / "rapport.txt"
    p.write_text(_dbl(" Forord", LONG, "og slutt.", " ", "Nytt avsnitt.") + "7 \n", encoding="utf-8")
    t = read_pdf_text(p, lang="nb")
    assert t.id == "rapport" and t.lang == "nb" and t.encoding
    assert [t.segment_text(s) for s in t.segments] == ["Forord", f"{LONG} og slutt.", "Nytt avsnitt."]
    assert t.meta["chars_in"] > t.meta["chars_kept"] == len(t.text)
    assert t.meta["page_numbers_removed"] == 1


@pytest.mark.parametrize(("content", "message"), [(b"", "empty"), (b"\x00\x01\x02PK\x00", "binary")])
def test_read_pdf_text_bad_input_names_the_file(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message) as exc:
        read_pdf_text(p)
    assert "bad.txt" in str(exc.value)


def test_read_pdf_text_decodes_utf16_and_cp1252(tmp_path):
    body = _dbl(" Næringsklynger på Røros", LONG, "og slutt.")
    for codec in ("utf-16", "cp1252"):
        p = tmp_path / f"{codec}.txt"
        p.write_bytes(body.encode(codec))
        t = read_pdf_text(p)
        assert t.text.startswith("Næringsklynger på Røros\n\n"), codec
        assert t.encoding.replace("_", "-").lower().startswith(codec[:5].lower()), t.encoding
