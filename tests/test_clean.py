"""Decoding (UTF-8, BOM, UTF-16, cp1252/latin-1, binary) and mojibake repair with an offset map."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.clean import decode_bytes, repair_mojibake
from nlp.errors import EncodingError

TEXT = "Vi møttes på Røros. Æ, Ø og Å – «særlig» nyttig, sa Søren."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_detects_the_encoding(data, encoding):
    assert decode_bytes(data, path="x.txt") == (TEXT, encoding)


def test_latin1_when_cp1252_cannot_decode():
    data = ("blåbær og rømmegrøt " * 20).encode("latin-1") + b"\x81"  # 0x81 is undefined in cp1252
    text, enc = decode_bytes(data)
    assert enc == "latin-1" and text.startswith("blåbær")


def test_binary_is_an_error_naming_the_file():
    with pytest.raises(EncodingError, match=r"bilde\.txt: this is a binary file.*Fix:"):
        decode_bytes(bytes(range(256)) * 8, path="bilde.txt")


def test_forced_encoding_errors_name_the_line_and_fix():
    with pytest.raises(EncodingError, match=r"a\.txt, line 2: .*not valid utf-8.*Fix: leave --encoding out"):
        decode_bytes("linje\nblåbær".encode("cp1252"), path="a.txt", encoding="utf-8")
    with pytest.raises(EncodingError, match="unknown encoding 'klingon'"):
        decode_bytes(b"hei", path="a.txt", encoding="klingon")
    assert decode_bytes("blåbær".encode("cp1252"), encoding="cp1252") == ("blåbær", "cp1252")


def test_mojibake_is_repaired_with_a_map_to_the_decoded_text():
    broken = TEXT.encode("utf-8").decode("cp1252")
    assert "Ã¸" in broken and "â€“" in broken
    fixed, m, n = repair_mojibake(broken)
    assert fixed == TEXT
    assert n > 0
    for word in ("Røros", "særlig", "Søren"):
        i = fixed.index(word)
        raw = broken[m.to_raw(i) : m.to_raw(i + len(word))]
        assert raw.encode("cp1252").decode("utf-8") == word


def test_real_text_that_looks_like_mojibake_is_left_alone():
    for text in ("«SKAL VI GÅ» sa han", "NØ” og DÆ«", "Ærlig talt, Øyvind.", "Åse"):
        assert repair_mojibake(text)[0] == text


_NORDIC = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzæøåéüäöÆØÅÉ .,;:!?«»–—’”\"'-0123456789\n")),
    max_size=80,
)


def _as_windows_reads_it(data: bytes) -> str:
    """cp1252, with the bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as latin-1, like Word does."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


@settings(max_examples=200, deadline=None)
@given(_NORDIC)
def test_mojibake_round_trip_and_offsets(text):
    broken = _as_windows_reads_it(text.encode("utf-8"))
    fixed, m, _ = repair_mojibake(broken)
    assert fixed == text
    for i, ch in enumerate(fixed):
        j = m.to_raw(i)
        if ch.isascii():
            assert broken[j] == ch


@settings(max_examples=200, deadline=None)
@given(_NORDIC)
def test_clean_nordic_text_is_never_changed(text):
    fixed, _m, n = repair_mojibake(text)
    assert (fixed, n) == (text, 0)
