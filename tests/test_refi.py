"""REFI-QDA exchange: import of a real ATLAS.ti export, schema-valid deterministic export, offset round trips
(LF/CRLF, BOM), and refusal of hostile files (billion laughs, external entities, zip slip, zip bombs)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nlp.cli import app
from nlp.codebook import Code, Codebook
from nlp.errors import ConfigError, DataWarning, InputError
from nlp.model import CodeSpan, Segment, Transcript, read_jsonl, write_jsonl
from nlp.refi import (
    load_codebook,
    read_qdc,
    read_qdpx,
    read_qdpx_project,
    validate_codebook_xml,
    write_qdc,
    write_qdpx,
)

DATA = Path(__file__).parent / "data" / "refi"
XSD = Path(__file__).parents[1] / "nlp" / "data" / "Project-mrt2019.xsd"
SCHEMA = xmlschema.XMLSchema(str(XSD))
NS = 'xmlns="urn:QDA-XML:project:1.0"'

CODEBOOK = Codebook(
    name="klyngeteori",
    version="2",
    description="Testkodebok.",
    codes=(
        Code("samarbeid", {"nb": "Samarbeid", "da": "Samarbejde"}, "Samarbeid mellom bedrifter."),
        Code(
            "tillit",
            {"nb": "Tillit"},
            "Tillit mellom aktører.",
            parent="samarbeid",
            cues=("stole på", "tillid"),
        ),
        Code("kunnskapsdeling", {"nb": "Kunnskapsdeling"}, "Deling av kunnskap."),
    ),
    polarity=("driver", "barrier", "neutral"),
    polarity_labels={
        "driver": {"nb": "fremmende faktor"},
        "barrier": {"nb": "hemmende faktor", "da": "hæmmende"},
    },
)
TEXT = "I: Hvordan samarbeider dere?\nR: Vi stoler på hverandre, det er viktig.\nR: Vi deler kunnskap – æøå."


def _transcript() -> Transcript:
    i = TEXT.index("Vi stoler")
    j = TEXT.index("Vi deler")
    return Transcript(
        id="intervju-01",
        text=TEXT,
        codes=(
            CodeSpan("tillit", i, i + 24, coder="kari"),
            CodeSpan("polarity:driver", i, i + 39, coder="kari"),
            CodeSpan("kunnskapsdeling", j, len(TEXT), coder="ola"),
            CodeSpan("kunnskapsdeling", j, j + 17, coder="autokoder-v1", source="auto", confidence=0.8125),
            CodeSpan("polarity:neutral", j, j + 17, coder="autokoder-v2", source="auto", confidence=0.25),
        ),
    )


def _qde(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde").decode("utf-8")


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _span_tuples(t: Transcript):
    return sorted(
        (c.code, c.start, c.end, c.coder, c.source, c.confidence is None, c.confidence or 0.0)
        for c in t.codes
    )


# --- import of a real third-party file ------------------------------------------------------------------------------


def test_atlas_sample_imports_users_and_two_level_code_tree():
    project = read_qdpx_project(DATA / "atlas-sample-codebook.qdpx")
    assert project.name == "target-atlas-project"
    assert sorted(project.users.values()) == ["ATLAS.ti", "Enric Llagostera"]
    assert project.transcripts == ()
    cb = project.codebook
    assert [c.id for c in cb.children(None)] == ["Commits"]
    assert [c.id for c in cb.children("Commits")] == [
        "2022-05-10T02:05:59Z 19e4dce",
        "2022-02-11T10:39:25Z cdbfd92",
    ]
    assert cb.polarity == ()
    assert read_qdpx(DATA / "atlas-sample-codebook.qdpx") == []


# --- export: schema-valid, deterministic, auto-coder as users -----------------------------------------------------


@pytest.mark.parametrize("newline", ["lf", "crlf"])
def test_export_validates_against_refi_schema(tmp_path, newline):
    out = tmp_path / "p.qdpx"
    summary = write_qdpx(out, [_transcript()], CODEBOOK, newline=newline)
    SCHEMA.validate(_qde(out))  # raises on any violation
    assert (summary.sources, summary.codings, summary.auto_codings) == (1, 5, 2)


def test_export_is_byte_identical_for_the_same_input(tmp_path):
    a, b = tmp_path / "a" / "p.qdpx", tmp_path / "b" / "p.qdpx"
    write_qdpx(a, [_transcript()], CODEBOOK, newline="crlf")
    write_qdpx(b, [_transcript()], CODEBOOK, newline="crlf")
    assert a.read_bytes() == b.read_bytes()


def test_each_model_version_is_a_user_and_probability_is_in_the_description(tmp_path):
    out = tmp_path / "p.qdpx"
    write_qdpx(out, [_transcript()], CODEBOOK)
    qde = _qde(out)
    users = dict(re.findall(r'<User guid="([^"]+)" name="([^"]+)"', qde))
    assert sorted(users.values()) == ["autokoder-v1", "autokoder-v2", "kari", "ola"]
    assert "probability 0.8125, model autokoder-v1" in qde and "probability 0.25, model autokoder-v2" in qde
    assert qde.count("<Description>Auto-code") == 2  # human selections carry no auto description
    back = read_qdpx(out)[0]
    auto = sorted((c.coder, c.confidence) for c in back.codes if c.source == "auto")
    assert auto == [("autokoder-v1", 0.8125), ("autokoder-v2", 0.25)]


def test_polarity_is_a_parent_code_with_value_children(tmp_path):
    out = tmp_path / "p.qdpx"
    write_qdpx(out, [_transcript()], CODEBOOK)
    qde = _qde(out)
    pol = re.search(
        r'<Code guid="[^"]+" name="Polarity" isCodable="false">(.*?)\n      </Code>', qde, re.DOTALL
    )
    assert pol is not None
    assert re.findall(r'<Code guid="[^"]+" name="(\w+)" isCodable="true"', pol.group(1)) == [
        "driver",
        "barrier",
        "neutral",
    ]


def test_crlf_export_counts_two_positions_per_line_break(tmp_path):
    t = Transcript(
        id="t", text="ab\ncd\nef", codes=(CodeSpan("x", 3, 5, coder="k"), CodeSpan("x", 6, 8, coder="k"))
    )
    for newline, text, expected in [
        ("lf", b"ab\ncd\nef", ["3:5", "6:8"]),
        ("crlf", b"ab\r\ncd\r\nef", ["4:6", "8:10"]),
    ]:
        out = tmp_path / f"{newline}.qdpx"
        write_qdpx(out, [t], newline=newline)
        with zipfile.ZipFile(out) as zf:
            source = next(n for n in zf.namelist() if n.startswith("sources/"))
            assert zf.read(source) == text
        positions = re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', _qde(out))
        assert [f"{s}:{e}" for s, e in positions] == expected
        for s, e in positions:
            assert text.decode()[int(s) : int(e)] in ("cd", "ef")


def test_unknown_code_refused_and_nothing_written(tmp_path):
    out = tmp_path / "p.qdpx"
    out.write_bytes(b"old")
    bad = Transcript(id="t", text="hei", codes=(CodeSpan("ukjent", 0, 3, coder="k"),))
    with pytest.raises(InputError, match="ukjent"):
        write_qdpx(out, [bad], CODEBOOK)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.qdpx"]
    with pytest.raises(ConfigError, match="newline"):
        write_qdpx(tmp_path / "q.qdpx", [bad], newline="cr")
    with pytest.raises(InputError, match="UTF-8 cannot store at position 1"):
        write_qdpx(tmp_path / "q.qdpx", [Transcript(id="s", text="x\ud800")])
    with pytest.raises(InputError, match="more than once"):
        write_qdpx(tmp_path / "q.qdpx", [Transcript(id="s", text="a"), Transcript(id="s", text="b")])
    assert not (tmp_path / "q.qdpx").exists()


def test_coder_filter_and_codebook_round_trip(tmp_path):
    out = tmp_path / "p.qdpx"
    write_qdpx(out, [_transcript()], CODEBOOK, coders=["kari"])
    project = read_qdpx_project(out)
    assert {c.coder for c in project.transcripts[0].codes} == {"kari"}
    assert project.codebook == CODEBOOK
    assert project.transcripts[0].id == "intervju-01"


# --- round trip property --------------------------------------------------------------------------------------------

_chars = st.one_of(
    st.sampled_from(list("aæøåÆØÅ .,\n\r\t–") + ["\ufeff", "\U0001f600", "e\u0301"[1]]),
    st.characters(codec="utf-8"),
)


def _canonical(text: str) -> str:
    """Transcript texts are canonical: '\\n' line breaks, no leading BOM (see nlp.refi._text)."""
    return re.sub("\r+(?=\n)", "", text).lstrip("\ufeff")


@st.composite
def _coded(draw):
    text = _canonical(draw(st.text(alphabet=_chars, max_size=80)))
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        a, b = sorted((draw(st.integers(0, len(text))), draw(st.integers(0, len(text)))))
        auto = draw(st.booleans())
        spans.append(
            CodeSpan(
                code=draw(st.sampled_from(["tillit", "samarbeid", "kunnskapsdeling", "polarity:barrier"])),
                start=a,
                end=b,
                coder=draw(st.sampled_from(["kari", "ola", "modell-2024.1"])),
                source="auto" if auto else "human",
                confidence=draw(st.none() | st.floats(0, 1)) if auto else None,
            )
        )
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=4)))
    segments = tuple(
        Segment(a, b, speaker=draw(st.sampled_from([None, "I", "R1"])), id=f"s{i}")
        for i, (a, b) in enumerate(zip([0, *cuts], cuts))
    )
    return Transcript(
        id=draw(st.sampled_from(["int-01", "Intervju 2 (æøå)"])),
        text=text,
        codes=tuple(spans),
        segments=segments,
        lang=draw(st.sampled_from([None, "nb", "da"])),
        meta=draw(st.sampled_from([{}, {"group": "g1", "pseudonymised": {"key_id": "k"}}])),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=_coded(), newline=st.sampled_from(["lf", "crlf"]))
def test_round_trip_gives_back_text_and_spans(tmp_path, t, newline):
    out = tmp_path / "rt.qdpx"
    write_qdpx(out, [t], CODEBOOK, newline=newline)
    [back] = read_qdpx(out)
    assert back.id == t.id
    assert back.text == t.text
    assert _span_tuples(back) == _span_tuples(t)
    assert (back.segments, back.lang) == (t.segments, t.lang)
    assert {k: v for k, v in back.meta.items() if not k.startswith("refi_")} == t.meta
    for c in back.codes:  # the offset map points into the file as written
        raw = back.offset_map.to_raw(c.start)
        assert raw == c.start + (t.text[: c.start].count("\n") if newline == "crlf" else 0)


def test_non_canonical_line_breaks_are_normalised_and_spans_follow(tmp_path):
    text = "\ufeffLinje én\r\nLinje to\r\n"
    t = Transcript(
        id="t", text=text, codes=(CodeSpan("tillit", text.index("to"), text.index("to") + 2, coder="k"),)
    )
    for newline in ("lf", "crlf"):
        write_qdpx(tmp_path / "p.qdpx", [t], CODEBOOK, newline=newline)
        [back] = read_qdpx(tmp_path / "p.qdpx")
        assert back.text == "Linje én\nLinje to\n"
        c = back.codes[0]
        assert back.text[c.start : c.end] == "to"


# --- import of other programs' conventions -------------------------------------------------------------------------


def _project(
    origin: str,
    selections: str,
    *,
    source: str = 'plainTextPath="internal://S1.txt"',
    users: str = '<Users><User guid="{11111111-2222-3333-4444-555555555555}" name="Kari"/>'
    '<User guid="AAAAAAAA-2222-3333-4444-555555555555" name="Ola"/></Users>',
) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="nv" origin="{origin}">{users}'
        '<CodeBook><Codes><Code guid="C0DE0000-0000-0000-0000-000000000001" name="Tillit" isCodable="true">'
        "<Description>Trust.</Description>"
        '<Code guid="C0DE0000-0000-0000-0000-000000000002" name="Tillit" isCodable="true"/></Code>'
        "</Codes></CodeBook><Sources>"
        f'<TextSource guid="50000000-0000-0000-0000-000000000001" name="Intervju A" {source}>{selections}'
        '</TextSource><PDFSource guid="50000000-0000-0000-0000-000000000002" name="scan.pdf" '
        'path="internal://x.pdf"/></Sources></Project>'
    )


def _selection(
    start: int,
    end: int,
    user: str = "11111111-2222-3333-4444-555555555555",
    code: str = "C0DE0000-0000-0000-0000-000000000002",
) -> str:
    return (
        f'<PlainTextSelection guid="5E100000-0000-0000-0000-{start:012d}" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{user}"><Coding guid="C0D10000-0000-0000-0000-{start:012d}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


@pytest.mark.parametrize(
    ("origin", "start", "end"),
    [
        ("MAXQDA 2022", 10, 19),  # code points of the CRLF file: "\r\n" is two positions
        ("ATLAS.ti 23.2", 9, 18),  # ATLAS.ti counts "\r\n" as one position
    ],
)
def test_import_crlf_bom_source_with_both_position_conventions(tmp_path, origin, start, end):
    raw = "Spørsmål\r\nVi stoler\r\npå dem."
    qdpx = _zip(
        tmp_path / "in.qdpx",
        {
            "project.qde": _project(
                origin, _selection(start, end) + _selection(0, 8, user="aaaaaaaa-2222-3333-4444-555555555555")
            ),
            "sources/S1.txt": b"\xef\xbb\xbf" + raw.encode("utf-8"),
        },
    )
    with pytest.warns(DataWarning, match="PDFSource"):
        project = read_qdpx_project(qdpx)
    [t] = project.transcripts
    assert t.id == "Intervju A" and t.text == "Spørsmål\nVi stoler\npå dem." and t.encoding == "utf-8-sig"
    first, second = t.codes
    assert (t.text[first.start : first.end], first.coder, first.source) == ("Vi stoler", "Kari", "human")
    assert (t.text[second.start : second.end], second.coder) == ("Spørsmål", "Ola")
    # same-named codes get distinct ids; the child keeps its parent
    assert first.code == "Tillit/Tillit" and project.codebook["Tillit/Tillit"].parent == "Tillit"
    assert raw[t.offset_map.to_raw(first.start) : t.offset_map.to_raw(first.end)] == "Vi stoler"


def test_import_plain_text_content_and_whole_source_coding(tmp_path):
    source = (
        "><PlainTextContent>Hei på deg</PlainTextContent>"
        '<Coding guid="C0D10000-0000-0000-0000-0000000000AA" creatingUser="11111111-2222-3333-4444-5555555'
        '55555"><CodeRef targetGUID="C0DE0000-0000-0000-0000-000000000001"/></Coding'
    )
    xml = _project("NVivo 14", "", source=source).replace('name="Intervju A" >', 'name="Intervju A">')
    qdpx = _zip(tmp_path / "in.qdpx", {"project.qde": xml})
    with pytest.warns(DataWarning):
        [t] = read_qdpx(qdpx)
    assert t.text == "Hei på deg"
    assert [(c.code, c.start, c.end, c.coder) for c in t.codes] == [("Tillit", 0, 10, "Kari")]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (_selection(5, 400), "positions 5..400"),
        (_selection(7, 3), "positions 7..3"),
        (_selection(0, 3, code="DEADBEEF-0000-0000-0000-000000000000"), "does not define"),
        (_selection(0, 3).replace('startPosition="0"', 'startPosition="x"'), "not a whole number"),
    ],
)
def test_malformed_selections_give_clear_errors(tmp_path, selection, message):
    qdpx = _zip(
        tmp_path / "bad.qdpx", {"project.qde": _project("NVivo", selection), "sources/S1.txt": "kort tekst"}
    )
    with pytest.raises(InputError, match=re.escape(message)) as err:
        read_qdpx(qdpx)
    assert str(qdpx) in str(err.value)


def test_not_a_project_gives_clear_errors(tmp_path):
    (tmp_path / "x.qdpx").write_text("not a zip")
    with pytest.raises(InputError, match="zip archive"):
        read_qdpx(tmp_path / "x.qdpx")
    with pytest.raises(InputError, match="no project.qde"):
        read_qdpx(_zip(tmp_path / "y.qdpx", {"readme.txt": "hi"}))
    with pytest.raises(InputError, match="not well-formed"):
        read_qdpx(_zip(tmp_path / "z.qdpx", {"project.qde": "<Project name='x'"}))
    with pytest.raises(InputError, match="not found"):
        read_qdpx(tmp_path / "missing.qdpx")


# --- hostile files -------------------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_attacks_refused(tmp_path, xml):
    with pytest.raises(InputError, match="entity") as err:
        read_qdpx(_zip(tmp_path / "evil.qdpx", {"project.qde": xml}))
    assert "evil.qdpx" in str(err.value) and "Fix:" in str(err.value)
    (tmp_path / "evil.qdc").write_text(xml.replace("Project", "CodeBook"))
    with pytest.raises(InputError, match="entity"):
        read_qdc(tmp_path / "evil.qdc")


@pytest.mark.parametrize(
    "member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"]
)
def test_zip_entries_escaping_the_folder_refused(tmp_path, member):
    qdpx = _zip(tmp_path / "slip.qdpx", {"project.qde": _project("x", ""), member: "x"})
    with pytest.raises(InputError, match="zip slip"):
        read_qdpx(qdpx)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_sources_outside_the_archive_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hemmelig")
    xml = _project("x", "", source=f'plainTextPath="file://{secret}"')
    with pytest.warns(DataWarning) as caught:
        assert read_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": xml})) == []
    assert any("stored outside the project" in str(w.message) for w in caught)


def test_internal_path_escaping_the_archive_refused(tmp_path):
    xml = _project("x", "", source='plainTextPath="internal://../../etc/passwd"')
    with pytest.raises(InputError, match="climbs out"):
        read_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": xml}))


def test_oversize_members_and_too_many_members_refused(tmp_path, monkeypatch):
    import nlp.refi._safe as safe

    qdpx = _zip(tmp_path / "bomb.qdpx", {"project.qde": _project("x", ""), "sources/S1.txt": b"\0" * 200_000})
    assert qdpx.stat().st_size < 5_000  # compresses 40:1 or better, like a (small) zip bomb
    monkeypatch.setattr(safe, "MAX_MEMBER_BYTES", 100_000)
    with pytest.raises(InputError, match="declares 200000 uncompressed bytes, more than the limit of 100000"):
        read_qdpx(qdpx)
    monkeypatch.setattr(safe, "MAX_MEMBER_BYTES", 256 * 2**20)
    monkeypatch.setattr(safe, "MAX_TOTAL_BYTES", 150_000)
    with pytest.raises(InputError, match="declares .* more than the limit"):
        read_qdpx(qdpx)
    monkeypatch.setattr(safe, "MAX_MEMBERS", 1)
    with pytest.raises(InputError, match="2 entries"):
        read_qdpx(qdpx)


def test_lying_size_header_is_caught(tmp_path):
    qdpx = _zip(tmp_path / "lie.qdpx", {"project.qde": _project("x", ""), "sources/S1.txt": b"a" * 50_000})
    data = bytearray(qdpx.read_bytes())
    # shrink the declared uncompressed size of sources/S1.txt in its local and central headers to 10 bytes
    name = b"sources/S1.txt"
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig)
        while i >= 0:
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[i + off : i + off + 4] = (10).to_bytes(4, "little")
            i = data.find(sig, i + 4)
    qdpx.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged"):
        read_qdpx(qdpx)


def test_bounded_read_stops_at_the_cap_whatever_the_header_says(tmp_path, monkeypatch):
    import nlp.refi._safe as safe

    qdpx = _zip(tmp_path / "p.qdpx", {"project.qde": _project("x", ""), "sources/S1.txt": b"a" * 50_000})
    with safe.QdpxArchive(qdpx) as zf:
        zf.max_member_bytes = 1_000  # as if the header had claimed a small size
        with pytest.raises(InputError, match="uncompresses to more than 1000 bytes"):
            zf.read("sources/S1.txt")


# --- codebooks (.qdc) ---------------------------------------------------------------------------------------------


def test_qdc_round_trip_is_exact_and_valid(tmp_path):
    out = tmp_path / "kodebok.qdc"
    write_qdc(out, CODEBOOK)
    data = out.read_bytes()
    assert b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"' in data
    validate_codebook_xml(data)
    assert read_qdc(out) == CODEBOOK
    assert load_codebook(out) == CODEBOOK
    write_qdc(tmp_path / "again.qdc", CODEBOOK)
    assert (tmp_path / "again.qdc").read_bytes() == data


def test_foreign_qdc_imports_with_hierarchy(tmp_path):
    qdc = tmp_path / "atlas.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        'origin="ATLAS.ti"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Barrierer" '
        'isCodable="false"><Description>Hindringer</Description><Code guid="1FF58B12-6F6F-4B0C-8BE5-'
        'BBDC91F55295" name="Kostnad" isCodable="true"/></Code></Codes><Sets/></CodeBook>',
        encoding="utf-8",
    )
    cb = read_qdc(qdc)
    assert [(c.id, c.parent, c.definition) for c in cb.codes] == [
        ("Barrierer", None, "Hindringer"),
        ("Kostnad", "Barrierer", ""),
    ]
    assert cb.name == "atlas"


# --- command line ------------------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_export_and_export_codebook(tmp_path):
    jsonl = tmp_path / "coded.jsonl"
    write_jsonl(jsonl, [_transcript()])
    CODEBOOK.save(tmp_path / "codebook.yaml")
    out = tmp_path / "p.qdpx"
    result = runner.invoke(
        app,
        [
            "export",
            str(jsonl),
            "--out",
            str(out),
            "--codebook",
            str(tmp_path / "codebook.yaml"),
            "--newline",
            "crlf",
            "--coder",
            "autokoder-v1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 sources, 1 codings (1 auto)" in result.output
    SCHEMA.validate(_qde(out))
    [t] = read_qdpx(out)
    assert [(c.code, c.coder, c.source) for c in t.codes] == [("kunnskapsdeling", "autokoder-v1", "auto")]

    result = runner.invoke(
        app, ["export-codebook", str(tmp_path / "codebook.yaml"), "--out", str(tmp_path / "k.qdc")]
    )
    assert result.exit_code == 0, result.output
    assert read_qdc(tmp_path / "k.qdc") == CODEBOOK


def test_cli_export_require_pseudonymised_refuses_and_writes_nothing(tmp_path):
    jsonl = tmp_path / "coded.jsonl"
    write_jsonl(jsonl, [_transcript()])
    out = tmp_path / "p.qdpx"
    result = runner.invoke(app, ["export", str(jsonl), "--out", str(out), "--require-pseudonymised"])
    assert isinstance(result.exception, InputError) and "not pseudonymised" in str(result.exception)
    assert not out.exists()
    ok = Transcript(id="p", text="[navn] sier hei", meta={"pseudonymised": {"key_id": "k"}})
    write_jsonl(jsonl, [ok])
    result = runner.invoke(app, ["export", str(jsonl), "--out", str(out), "--require-pseudonymised"])
    assert result.exit_code == 0, result.output
    assert read_qdpx(out)[0].text == "[navn] sier hei"


def test_cli_export_needs_exactly_one_input(tmp_path):
    result = runner.invoke(app, ["export", "--out", str(tmp_path / "p.qdpx")])
    assert isinstance(result.exception, ConfigError)
    jsonl = tmp_path / "c.jsonl"
    write_jsonl(jsonl, [_transcript()])
    result = runner.invoke(
        app, ["export", str(jsonl), "--out", str(tmp_path / "p.qdpx"), "--coder", "nobody"]
    )
    assert isinstance(result.exception, ConfigError) and "kari" in str(result.exception)


def test_cli_export_bundled_corpus_round_trips_completely(tmp_path):
    from nlp.corpora import load

    corpus = load("klynger")
    out = tmp_path / "klynger.qdpx"
    result = runner.invoke(app, ["export", "--corpus", "klynger", "--out", str(out), "--newline", "crlf"])
    assert result.exit_code == 0, result.output
    SCHEMA.validate(_qde(out))
    project = read_qdpx_project(out)
    assert project.codebook == corpus.codebook
    assert len(project.transcripts) == len(corpus.transcripts)
    for a, b in zip(corpus.transcripts, project.transcripts):
        assert (b.id, b.text, b.lang, b.segments) == (a.id, a.text, a.lang, a.segments)
        assert _span_tuples(b) == _span_tuples(a)
        assert {k: v for k, v in b.meta.items() if not k.startswith("refi_")} == dict(a.meta)


def test_zip_written_in_memory_is_a_valid_zip(tmp_path):
    out = tmp_path / "p.qdpx"
    write_qdpx(out, [_transcript()], CODEBOOK)
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as zf:
        assert zf.testzip() is None
        assert zf.namelist()[0] == "project.qde"
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())


# --- projects as each program writes them (tests/data/refi/build_fixtures.py) -------------------------------------


def _fixture_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_fixtures", DATA / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BUILD = _fixture_builder()
EXPECTED, KARI, NVIVO_TEXT, OLA = _BUILD.EXPECTED, _BUILD.KARI, _BUILD.NVIVO_TEXT, _BUILD.OLA


def _selected(t: Transcript) -> list[tuple[str, str, str]]:
    return [(t.text[c.start : c.end], c.code, c.coder) for c in sorted(t.codes, key=lambda c: c.start)]


@pytest.mark.parametrize("name", ["nvivo", "atlas", "maxqda", "qualitative-coding", "qualcoder"])
@pytest.mark.filterwarnings("ignore::nlp.errors.DataWarning")
def test_each_programs_project_selects_the_intended_text(name):
    project = read_qdpx_project(DATA / f"{name}.qdpx")
    for source, expected in EXPECTED[name].items():
        [t] = [t for t in project.transcripts if t.meta["refi_source"] == source]
        got = [(text, project.codebook[code].name, coder) for text, code, coder in _selected(t)]
        assert got == expected


def test_nvivo_positions_are_utf16_units_and_code_points_would_shift():
    with pytest.warns(DataWarning) as caught:
        project = read_qdpx_project(DATA / "nvivo.qdpx")
    [t] = project.transcripts
    assert t.meta["refi_positions"].startswith("utf16 ")
    assert t.text == NVIVO_TEXT.replace("\r\n", "\n") and t.encoding == "utf-8-sig"
    # the raw file (CRLF, emoji) is reachable through the offset map
    raw = NVIVO_TEXT
    first = min(t.codes, key=lambda c: c.start)
    assert raw[t.offset_map.to_raw(first.start) : t.offset_map.to_raw(first.end)] == "Vi stoler på kommunen"
    # read as code points, as REFI-QDA 1.5 says, every coding after an emoji lands elsewhere
    with pytest.warns(DataWarning):
        [wrong] = read_qdpx(DATA / "nvivo.qdpx", positions="codepoints")
    assert [x[0] for x in _selected(wrong)] != [x[0] for x in _selected(t)]
    messages = " | ".join(str(w.message) for w in caught)
    assert "skipped source 'Intervju 2'" in messages and "not in the archive" in messages
    assert "1 PDFSource" in messages
    assert "4 of 4 codings name a different user on the selection than on the coding" in messages


def test_nvivo_coder_from_coding_by_default_selection_on_request():
    with pytest.warns(DataWarning):
        [t] = read_qdpx(DATA / "nvivo.qdpx")
    assert [c for _, _, c in _selected(t)] == ["Ola Hansen", "Kari Nordmann", "Ola Hansen", "Kari Nordmann"]
    others = {(row[0], row[3]) for row in t.meta["refi_other_coders"]}
    assert others == {
        ("Kommunen", "Kari Nordmann"),
        ("Samarbeid", "Ola Hansen"),
        ("Kostnader", "Kari Nordmann"),
        ("Tillit", "Ola Hansen"),
    }
    with pytest.warns(DataWarning) as caught:
        [s] = read_qdpx(DATA / "nvivo.qdpx", coder="selection")
    assert any("the coder is the selection's user" in str(w.message) for w in caught)
    assert [c for _, _, c in _selected(s)] == ["Kari Nordmann", "Ola Hansen", "Kari Nordmann", "Ola Hansen"]
    with pytest.raises(ConfigError, match="coder="):
        read_qdpx(DATA / "nvivo.qdpx", coder="someone")


def test_nvivo_code_tree_keeps_depth_colours_folders_guids_and_memos():
    with pytest.warns(DataWarning):
        cb = read_qdpx_project(DATA / "nvivo.qdpx").codebook
    chain, code = [], cb["Kommunen"]
    while code.parent:
        chain.append(code.parent)
        code = cb[code.parent]
    assert chain == ["Tillit til offentlige aktører", "Tillit", "Samarbeid"]
    assert (cb["Samarbeid"].color, cb["Kommunen"].color, cb["Tid"].color) == ("#1F77B4", "#2CA02C", None)
    assert not cb["Barrierer"].codable and cb["Kostnader"].codable
    assert cb["Barrierer/Tillit"].parent == "Barrierer"  # two codes named Tillit stay two codes
    assert cb["Samarbeid"].guid == "0b1e0000-0000-4000-8000-000000000001"  # lower case
    [memo] = cb["Samarbeid"].memos
    assert (memo.name, memo.text, memo.guid) == (
        "Memo om samarbeid",
        "Samarbeid er koden for alt\nsom deles.",
        "0b1e0000-0000-4000-8000-00000000aaaa",
    )
    assert cb.polarity == ()


def test_crlf_convention_decided_by_evidence_when_the_origin_gives_no_hint():
    with pytest.warns(DataWarning, match=r"read as crlf-as-one \(the evidence"):
        [t] = read_qdpx(DATA / "qualitative-coding.qdpx")
    assert [x[0] for x in _selected(t)] == ["Line two about costs", "Line three about time"]
    [forced] = read_qdpx(DATA / "qualitative-coding.qdpx", positions="codepoints")
    assert forced.meta["refi_positions"] == "codepoints (chosen with --positions)"
    assert [x[0] for x in _selected(forced)] != ["Line two about costs", "Line three about time"]


def test_bare_plain_text_path_inside_the_archive_is_read():
    [t] = read_qdpx(DATA / "maxqda.qdpx")  # plainTextPath="intervju-m.txt", no internal://
    assert t.text.startswith("I: Fortell om nettverket")


def _codes_of(qde: str) -> list[tuple]:
    """(guid, name, isCodable, color, description, note refs, parent guid) of every code in a project.qde."""
    root = ET.fromstring(qde)
    out = []

    def walk(el, parent):
        for c in el:
            if c.tag.endswith("}Code"):
                desc = next((d.text or "" for d in c if d.tag.endswith("}Description")), "")
                notes = [n.get("targetGUID").lower() for n in c if n.tag.endswith("}NoteRef")]
                out.append(
                    (
                        c.get("guid").strip("{}").lower(),
                        c.get("name"),
                        c.get("isCodable"),
                        c.get("color"),
                        desc,
                        notes,
                        parent,
                    )
                )
                walk(c, c.get("guid").strip("{}").lower())

    walk(next(e for e in root.iter() if e.tag.endswith("}Codes")), None)
    return out


def _sources_of(qde: str) -> list[tuple]:
    root = ET.fromstring(qde)
    return [
        (
            s.get("guid").strip("{}").lower(),
            s.get("name"),
            next((d.text for d in s if d.tag.endswith("}Description")), None),
        )
        for s in root.iter()
        if s.tag.endswith("}TextSource")
    ]


def test_nvivo_import_then_export_differs_only_where_the_user_changed_something(tmp_path):
    with pytest.warns(DataWarning):
        project = read_qdpx_project(DATA / "nvivo.qdpx")
    out = tmp_path / "back.qdpx"
    summary = write_qdpx(out, project.transcripts, project.codebook, positions="utf16", name=project.name)
    assert summary.positions == "utf16"
    original, ours = _qde(DATA / "nvivo.qdpx"), _qde(out)
    SCHEMA.validate(ours)
    assert _codes_of(ours) == _codes_of(
        original
    )  # GUIDs, names, isCodable, colours, descriptions, memos, tree
    assert _sources_of(ours) == [s for s in _sources_of(original) if s[1] == "Intervju 1"]
    assert set(re.findall(r'guid="([^"]+)"', ours)) == {
        g.lower() for g in re.findall(r'guid="([^"]+)"', ours)
    }
    root = ET.fromstring(ours)
    users = {u.get("name"): u.get("guid") for u in root.iter() if u.tag.endswith("}User")}
    assert users == {"Kari Nordmann": KARI.lower(), "Ola Hansen": OLA.lower()}
    note = next(n for n in root.iter() if n.tag.endswith("}Note"))
    assert (note.get("guid"), note.get("name")) == (
        "0b1e0000-0000-4000-8000-00000000aaaa",
        "Memo om samarbeid",
    )
    # positions are UTF-16 units of the file as written (LF): the same text as NVivo selected
    with zipfile.ZipFile(out) as zf:
        text = zf.read(next(n for n in zf.namelist() if n.startswith("sources/"))).decode("utf-8")
    for s, e in re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', ours):
        units = text.encode("utf-16-le")
        assert units[2 * int(s) : 2 * int(e)].decode("utf-16-le") in {
            p for p, _, _ in EXPECTED["nvivo"]["Intervju 1"]
        }
    # and it reads back the same
    back = read_qdpx_project(out)
    assert back.codebook == project.codebook
    assert _selected(back.transcripts[0]) == _selected(project.transcripts[0])

    # a change the user makes is the only difference
    changed = Codebook(
        name=project.codebook.name,
        polarity=(),
        codes=tuple(replace(c, color="#000000") if c.id == "Tid" else c for c in project.codebook.codes),
    )
    write_qdpx(tmp_path / "changed.qdpx", project.transcripts, changed, positions="utf16")
    diff = [(a, b) for a, b in zip(_codes_of(original), _codes_of(_qde(tmp_path / "changed.qdpx"))) if a != b]
    assert diff == [(a, a[:3] + ("#000000",) + a[4:]) for a in _codes_of(original) if a[1] == "Tid"]


@pytest.mark.parametrize("name", ["atlas", "maxqda", "qualcoder"])
def test_other_programs_round_trip_keeps_their_code_tree(tmp_path, name):
    project = read_qdpx_project(DATA / f"{name}.qdpx")
    write_qdpx(tmp_path / "p.qdpx", project.transcripts, project.codebook, name=project.name)
    assert _codes_of(_qde(tmp_path / "p.qdpx")) == _codes_of(_qde(DATA / f"{name}.qdpx"))
    back = read_qdpx_project(tmp_path / "p.qdpx")
    assert back.codebook == project.codebook
    for a, b in zip(project.transcripts, back.transcripts):
        assert (b.id, b.text, _selected(b)) == (a.id, a.text, _selected(a))


def test_codes_without_names_and_foreign_codes_round_trip(tmp_path):
    plain = Codebook(name="p", polarity=(), codes=(Code("tillit"), Code("kost", color="#abc", codable=False)))
    write_qdc(tmp_path / "p.qdc", plain)
    assert read_qdc(tmp_path / "p.qdc") == plain
    foreign = Codebook(
        name="f",
        polarity=(),
        codes=(  # a .qdc without polarity is named by its file
            Code("Tillit", {"und": "Tillit"}, "Trust.", guid="0b1e0000-0000-4000-8000-000000000001"),
        ),
    )
    write_qdc(tmp_path / "f.qdc", foreign)
    assert "[klyngekoder]" not in (tmp_path / "f.qdc").read_text(
        encoding="utf-8"
    )  # its description untouched
    assert read_qdc(tmp_path / "f.qdc") == foreign


def test_export_for_nvivo_counts_an_emoji_as_two(tmp_path):
    text = "Hei 😀 og 👍 tillit her."
    i = text.index("tillit")
    t = Transcript(id="e", text=text, codes=(CodeSpan("tillit", i, i + 6, coder="k"),))
    write_qdpx(tmp_path / "cp.qdpx", [t], CODEBOOK)
    write_qdpx(tmp_path / "nv.qdpx", [t], CODEBOOK, positions="utf16")
    assert re.findall(r'startPosition="(\d+)"', _qde(tmp_path / "cp.qdpx")) == [str(i)]
    assert re.findall(r'startPosition="(\d+)"', _qde(tmp_path / "nv.qdpx")) == [str(i + 2)]
    assert "UTF-16 code units" in _qde(tmp_path / "nv.qdpx")
    for f in ("cp.qdpx", "nv.qdpx"):  # our own files say which unit they use, and read back right
        [back] = read_qdpx(tmp_path / f)
        assert back.text[back.codes[0].start : back.codes[0].end] == "tillit"
    with pytest.raises(ConfigError, match="positions"):
        write_qdpx(tmp_path / "x.qdpx", [t], CODEBOOK, positions="bytes")


def test_source_description_is_short_provenance_and_data_goes_to_a_sidecar(tmp_path):
    t = _transcript()
    t = replace(t, lang="nb", segments=(Segment(0, 10, speaker="I"),), meta={"group": "g1"})
    write_qdpx(tmp_path / "p.qdpx", [t], CODEBOOK)
    [desc] = re.findall(r"<TextSource[^>]*>\s*<Description>([^<]*)</Description>", _qde(tmp_path / "p.qdpx"))
    assert desc == "Exported by klyngekoder 0.1.0: transcript intervju-01, language nb, 1 segments."
    assert "[klyngekoder]" not in desc and len(desc) < 120
    [back] = read_qdpx(tmp_path / "p.qdpx")
    assert (back.lang, back.segments, back.meta["group"]) == ("nb", t.segments, "g1")


def test_codebook_in_every_form_loads_through_one_function(tmp_path):
    from_project = load_codebook(DATA / "nvivo.qdpx")  # the code tree only: the sources are not read
    from_project.save(tmp_path / "c.yaml")
    write_qdc(tmp_path / "c.qdc", from_project)
    assert load_codebook(tmp_path / "c.yaml") == from_project  # colours, folders, GUIDs, memos in YAML too
    from_qdc = load_codebook(tmp_path / "c.qdc")  # memos on the description's last line
    assert from_qdc.name == "c"  # a foreign code tree in a .qdc is named by its file
    assert replace(from_qdc, name=from_project.name) == from_project
    with pytest.raises(InputError, match=".yaml/.yml, .qdc or .qdpx"):
        load_codebook(tmp_path / "c.txt")


def test_no_import_cycle_between_codebook_and_refi():
    import ast

    root = Path(__file__).parents[1] / "nlp"
    tree = ast.parse((root / "codebook.py").read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("refi" in m for m in imported)


def test_cli_ingest_project_writes_its_code_tree_and_takes_the_options(tmp_path):
    out = tmp_path / "coded.jsonl"
    result = runner.invoke(app, ["ingest", str(DATA / "nvivo.qdpx"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_codebook(tmp_path / "coded.codebook.yaml")
    assert len(book.codes) == 8 and book["Kommunen"].parent == "Tillit til offentlige aktører"
    assert "code tree of" in result.output and "8 codes" in result.output
    from nlp.corpora import load_path

    corpus = load_path(out)  # finds coded.codebook.yaml beside the transcripts
    assert corpus.codebook == book
    result = runner.invoke(
        app,
        [
            "ingest",
            str(DATA / "nvivo.qdpx"),
            "--out",
            str(out),
            "--positions",
            "codepoints",
            "--coder-from",
            "selection",
        ],
    )
    assert result.exit_code == 0, result.output
    [t] = list(read_jsonl(out))
    assert t.meta["refi_positions"] == "codepoints (chosen with --positions)"
    assert {c.coder for c in t.codes} == {"Kari Nordmann", "Ola Hansen"}
    result = runner.invoke(
        app, ["ingest", str(DATA / "nvivo.qdpx"), "--out", str(out), "--positions", "bytes"]
    )
    assert result.exit_code != 0 and "--positions" in result.output


def test_cli_codebook_options_take_a_project(tmp_path):
    result = runner.invoke(
        app, ["export-codebook", str(DATA / "nvivo.qdpx"), "--out", str(tmp_path / "c.qdc")]
    )
    assert result.exit_code == 0, result.output
    assert len(read_qdc(tmp_path / "c.qdc").codes) == 8
    out = tmp_path / "coded.jsonl"
    runner.invoke(app, ["ingest", str(DATA / "nvivo.qdpx"), "--out", str(out)])
    result = runner.invoke(
        app,
        [
            "export",
            str(out),
            "--codebook",
            str(DATA / "nvivo.qdpx"),
            "--for",
            "nvivo",
            "--out",
            str(tmp_path / "back.qdpx"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "positions in UTF-16 units (for nvivo)" in result.output
    assert _codes_of(_qde(tmp_path / "back.qdpx")) == _codes_of(_qde(DATA / "nvivo.qdpx"))


def test_cli_ingest_then_export_round_trips_without_naming_the_codebook(tmp_path):
    out = tmp_path / "coded.jsonl"
    result = runner.invoke(
        app, ["ingest", str(DATA / "nvivo.qdpx"), str(DATA / "qualcoder.qdpx"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    merged = load_codebook(tmp_path / "coded.codebook.yaml")  # the two trees do not clash: one codebook
    assert {"Kommunen", "Tid", "Partnere"} <= set(merged.ids)
    assert not list(tmp_path.glob("coded.*.codebook.yaml"))
    result = runner.invoke(app, ["export", str(out), "--for", "nvivo", "--out", str(tmp_path / "back.qdpx")])
    assert result.exit_code == 0, result.output
    ours = {c[0]: c for c in _codes_of(_qde(tmp_path / "back.qdpx"))}
    for code in _codes_of(_qde(DATA / "nvivo.qdpx")) + _codes_of(_qde(DATA / "qualcoder.qdpx")):
        assert ours[code[0]] == code
    # the selections' GUIDs travel through the JSONL too
    given = _selections_of(_qde(DATA / "nvivo.qdpx")) | _selections_of(_qde(DATA / "qualcoder.qdpx"))
    back = _selections_of(_qde(tmp_path / "back.qdpx"))
    assert len(back) == 2 and {s: set(sels) for s, sels in back.items()} == {s: set(given[s]) for s in back}
    # trees that clash (both have a code Barrierer, a folder in one, a code in the other) are written apart
    result = runner.invoke(
        app,
        ["ingest", str(DATA / "nvivo.qdpx"), str(DATA / "atlas.qdpx"), "--out", str(tmp_path / "two.jsonl")],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("two.*codebook.yaml")) == [
        "two.atlas.codebook.yaml",
        "two.nvivo.codebook.yaml",
    ]


# --- GUIDs of selections and codings survive import and export ------------------------------------------------------


def _selections_of(qde: str) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """source GUID -> selection GUID -> sorted (coding GUID, code GUID) of a project.qde, GUIDs in lower case."""

    def g(value: str) -> str:
        return value.strip("{}").lower()

    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for src in ET.fromstring(qde).iter():
        if src.tag.endswith("}TextSource"):
            out[g(src.get("guid"))] = {
                g(sel.get("guid")): sorted(
                    (g(c.get("guid")), g(next(iter(c)).get("targetGUID")))
                    for c in sel
                    if c.tag.endswith("}Coding")
                )
                for sel in src
                if sel.tag.endswith("}PlainTextSelection")
            }
    return out


@pytest.mark.parametrize("name", ["nvivo", "atlas", "maxqda", "qualcoder", "qualitative-coding"])
@pytest.mark.filterwarnings("ignore::nlp.errors.DataWarning")
def test_each_programs_selection_and_coding_guids_come_back_on_export(tmp_path, name):
    project = read_qdpx_project(DATA / f"{name}.qdpx")
    assert all(c.selection_guid and c.coding_guid for t in project.transcripts for c in t.codes)
    write_qdpx(tmp_path / "back.qdpx", project.transcripts, project.codebook, name=project.name)
    original, ours = _selections_of(_qde(DATA / f"{name}.qdpx")), _selections_of(_qde(tmp_path / "back.qdpx"))
    assert ours and all(ours.values())
    # every selection of the sources read, with its codings and the codes they refer to, under the same GUIDs; a
    # coding GUID the file gives twice (nvivo.qdpx does) is kept once, so that every GUID names one thing
    given = Counter(g for sels in original.values() for codings in sels.values() for g, _ in codings)
    written = Counter(g for sels in ours.values() for codings in sels.values() for g, _ in codings)
    assert max(written.values()) == 1 and {g for g in given if given[g] == 1} <= set(written)

    def unique(selections):
        return {s: [(g if given[g] == 1 else "", c) for g, c in codings] for s, codings in selections.items()}

    assert {source: unique(sels) for source, sels in ours.items()} == {
        source: unique(original[source]) for source in ours
    }


def _two_codings_project(tmp_path: Path) -> Path:
    both = (
        '<PlainTextSelection guid="{5E100000-0000-0000-0000-0000000000AA}" startPosition="10" endPosition="19" '
        'creatingUser="11111111-2222-3333-4444-555555555555">'
        '<Coding guid="C0D10000-0000-0000-0000-0000000000A1" creatingUser="11111111-2222-3333-4444-555555555555">'
        '<CodeRef targetGUID="C0DE0000-0000-0000-0000-000000000001"/></Coding>'
        '<Coding guid="C0D10000-0000-0000-0000-0000000000A2" creatingUser="11111111-2222-3333-4444-555555555555">'
        '<CodeRef targetGUID="C0DE0000-0000-0000-0000-000000000002"/></Coding></PlainTextSelection>'
    )
    return _zip(
        tmp_path / "in.qdpx",
        {
            "project.qde": _project("MAXQDA 2022", both + _selection(0, 8)),
            "sources/S1.txt": "Spørsmål\nVi stoler\npå dem.",
        },
    )


@pytest.mark.filterwarnings("ignore::nlp.errors.DataWarning")
def test_a_selection_with_two_codings_stays_one_and_only_new_codings_get_new_guids(tmp_path):
    project = read_qdpx_project(_two_codings_project(tmp_path))
    [t] = project.transcripts
    assert {(c.code, c.selection_guid, c.coding_guid) for c in t.codes} == {
        ("Tillit", "5e100000-0000-0000-0000-0000000000aa", "c0d10000-0000-0000-0000-0000000000a1"),
        ("Tillit/Tillit", "5e100000-0000-0000-0000-0000000000aa", "c0d10000-0000-0000-0000-0000000000a2"),
        ("Tillit/Tillit", "5e100000-0000-0000-0000-000000000000", "c0d10000-0000-0000-0000-000000000000"),
    }
    new = CodeSpan("Tillit", 19, 26, coder="Kari")  # coded after the import: it has no GUIDs of its own
    write_qdpx(tmp_path / "back.qdpx", [t.with_codes([new])], project.codebook)
    qde = _qde(tmp_path / "back.qdpx")
    SCHEMA.validate(qde)
    [selections] = _selections_of(qde).values()
    original = next(iter(_selections_of(_qde(tmp_path / "in.qdpx")).values()))
    assert {g: selections[g] for g in original} == original  # the imported ones, as they were
    [codings] = [c for g, c in selections.items() if g not in original]
    every_guid = re.findall(r'guid="([^"]+)"', qde)
    assert len(every_guid) == len(set(every_guid))  # the new ones collide with nothing
    assert [code for _, code in codings] == ["c0de0000-0000-0000-0000-000000000001"]
    # and the same again from the exported file: now every GUID is kept, the file is the same
    again = read_qdpx_project(tmp_path / "back.qdpx")
    write_qdpx(tmp_path / "again.qdpx", again.transcripts, again.codebook)
    assert _selections_of(_qde(tmp_path / "again.qdpx")) == _selections_of(qde)


def test_atlas_sample_codes_and_an_exported_projects_codings_keep_their_guids(tmp_path):
    sample = Path("/work/shared/data/refi-qda/atlas-sample-codebook.qdpx")
    sample = sample if sample.is_file() else DATA / "atlas-sample-codebook.qdpx"  # the same file, kept here
    project = read_qdpx_project(sample)
    code_ids = [c.id for c in project.codebook.codes]
    coded = Transcript(
        id="intervju",
        text="Vi deler kode hver uke. Og vi gjennomgår den.",
        codes=(
            CodeSpan(code_ids[1], 0, 23, coder="Enric Llagostera"),
            CodeSpan(code_ids[2], 24, 45, coder="Enric Llagostera"),
            CodeSpan(code_ids[0], 0, 45, coder="model-v1", source="auto", confidence=0.75),
        ),
    )
    write_qdpx(tmp_path / "first.qdpx", [coded], project.codebook, name=project.name, users=project.users)
    first = _qde(tmp_path / "first.qdpx")
    assert _codes_of(first) == _codes_of(_qde(sample))  # ATLAS.ti's code GUIDs, tree and names
    users = {u.get("name"): u.get("guid") for u in ET.fromstring(first).iter() if u.tag.endswith("}User")}
    assert users["Enric Llagostera"] == "088b08ac-d5cd-4adb-8b71-b4f3459c177f"
    # our exported project, imported and exported again: every selection and coding keeps its GUID
    back = read_qdpx_project(tmp_path / "first.qdpx")
    [written] = _selections_of(first).values()
    assert {c.coding_guid for c in back.transcripts[0].codes} == {g for cs in written.values() for g, _ in cs}
    assert {c.selection_guid for c in back.transcripts[0].codes} == set(written)
    write_qdpx(tmp_path / "second.qdpx", back.transcripts, back.codebook, name=back.name)
    second = _qde(tmp_path / "second.qdpx")
    assert _selections_of(second) == _selections_of(first)

    def provenance_apart(qde: str) -> str:  # the source's provenance line now says it came from first.qdpx
        return re.sub(r"<Description>Exported by [^<]*</Description>", "", qde)

    assert provenance_apart(second) == provenance_apart(first)  # every GUID, position and user as it was


def test_code_span_guids_go_through_jsonl_and_do_not_change_what_a_span_says():
    span = CodeSpan("tillit", 3, 9, coder="kari", selection_guid="5e10", coding_guid="c0d1")
    again = CodeSpan.from_json(span.to_json())
    assert (again.selection_guid, again.coding_guid) == ("5e10", "c0d1")
    assert span == CodeSpan("tillit", 3, 9, coder="kari") and "5e10" not in repr(span)
    assert "selection_guid" not in CodeSpan("tillit", 3, 9, coder="kari").to_json()


def test_another_programs_polarity_group_keeps_its_guids(tmp_path):
    polarity = (
        '<Code guid="{B0000000-0000-0000-0000-000000000001}" name="Polaritet" isCodable="false">'
        '<Code guid="B0000000-0000-0000-0000-000000000002" name="Driver" isCodable="true"/>'
        '<Code guid="B0000000-0000-0000-0000-000000000003" name="Barrier" isCodable="true"/></Code>'
    )
    xml = _project("NVivo 14", _selection(0, 8, code="B0000000-0000-0000-0000-000000000003")).replace(
        "</Codes>", polarity + "</Codes>"
    )
    qdpx = _zip(tmp_path / "in.qdpx", {"project.qde": xml, "sources/S1.txt": "Spørsmål\nVi stoler\npå dem."})
    with pytest.warns(DataWarning):
        project = read_qdpx_project(qdpx)
    cb = project.codebook
    assert cb.polarity == ("driver", "barrier")
    assert dict(cb.polarity_guids) == {
        "polarity": "b0000000-0000-0000-0000-000000000001",
        "polarity:driver": "b0000000-0000-0000-0000-000000000002",
        "polarity:barrier": "b0000000-0000-0000-0000-000000000003",
    }
    assert [c.code for c in project.transcripts[0].codes] == ["polarity:barrier"]
    cb.save(tmp_path / "cb.yaml")  # what `nlp ingest` writes beside the JSONL
    assert load_codebook(tmp_path / "cb.yaml") == cb
    write_qdpx(tmp_path / "back.qdpx", project.transcripts, load_codebook(tmp_path / "cb.yaml"))
    ours = {c[0]: c for c in _codes_of(_qde(tmp_path / "back.qdpx"))}
    assert {g for g in ours if g.startswith("b0000000")} == set(cb.polarity_guids.values())
    assert ours["b0000000-0000-0000-0000-000000000003"][6] == "b0000000-0000-0000-0000-000000000001"
    [selections] = _selections_of(_qde(tmp_path / "back.qdpx")).values()
    assert selections["5e100000-0000-0000-0000-000000000000"][0][1] == "b0000000-0000-0000-0000-000000000003"
    # our own polarity codes carry GUIDs derived from their values: nothing to keep
    write_qdpx(tmp_path / "ours.qdpx", [_transcript()], CODEBOOK)
    assert read_qdpx_project(tmp_path / "ours.qdpx").codebook.polarity_guids == {}
