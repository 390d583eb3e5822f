"""Ingest: every supported kind and encoding from small committed fixtures, and every kind of bad input."""

import json
import warnings
import zipfile
from pathlib import Path

import pytest

from nlp.errors import DataWarning, EncodingError, InputError
from nlp.ingest import detect_kind, ingest_paths, read_path, transcript_id
from nlp.model import iter_units, read_jsonl, write_jsonl

DATA = Path(__file__).parent / "data" / "ingest"


def read1(name, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        ts = read_path(DATA / name, **kw)
    assert len(ts) == 1
    return ts[0]


def _raw(name, encoding):
    return (DATA / name).read_bytes().decode(encoding).removeprefix("\ufeff")


def _check_offsets(t, raw):
    """Every segment's first and last word are found at the mapped raw offsets."""
    for s in t.segments:
        seg = t.text[s.start : s.end]
        words = seg.split()
        a = t.offset_map.to_raw(s.start)
        assert raw[a : a + len(words[0])] == words[0], (seg, raw[a : a + 20])
        b = t.offset_map.to_raw(s.end - len(words[-1]))
        assert raw[b : b + len(words[-1])] == words[-1]


NB_TURNS = [
    ("Intervjuer", "question"),
    ("Informant 3", "answer"),
    ("Intervjuer", "question"),
    ("Informant 3", "answer"),
]


@pytest.mark.parametrize(
    ("name", "encoding", "codec"),
    [
        ("nb_utf8.txt", "utf-8", "utf-8"),
        ("nb_bom.txt", "utf-8-sig", "utf-8-sig"),
        ("nb_utf16.txt", "utf-16", "utf-16"),
        ("nb_utf16le_nobom.txt", "utf-16-le", "utf-16-le"),
    ],
)
def test_txt_in_every_unicode_encoding_gives_the_same_transcript(name, encoding, codec):
    t = read1(name)
    ref = read1("nb_utf8.txt")
    assert t.encoding == encoding
    assert t.text == ref.text
    assert [(s.speaker, s.kind) for s in t.segments] == NB_TURNS
    assert (
        "[navn] fra [bedrift] som tok kontakt. Vi møttes på [sted].\nDet er vel XX bedrifter med nå."
        in t.text
    )
    assert "Intervjuer:" not in t.text and "Informant 3:" not in t.text
    _check_offsets(t, _raw(name, codec))
    assert t.meta["chars_in"] == len(_raw(name, codec))
    assert t.meta["chars_kept"] == len(t.text)
    assert t.meta["warnings"] == []
    assert t.id == name.removesuffix(".txt")
    assert all(s.id.startswith(t.id + ":") for s in t.segments)


def test_mojibake_is_repaired_and_offsets_point_into_the_decoded_file():
    t = read1("nb_mojibake.txt")
    assert t.text == read1("nb_utf8.txt").text
    assert t.encoding == "utf-8" and t.meta["mojibake_repaired"] >= 3
    assert any("mojibake" in w for w in t.meta["warnings"])
    raw = _raw("nb_mojibake.txt", "utf-8")
    i = t.text.index("møttes")
    assert raw[t.offset_map.to_raw(i) : t.offset_map.to_raw(i + len("møttes"))] == "mÃ¸ttes"


def test_cp1252_crlf_nynorsk():
    t = read1("nn_cp1252.txt")
    assert t.encoding == "cp1252"
    assert [(s.speaker, s.kind) for s in t.segments] == [("Int", "question"), ("Resp", "answer")] * 2
    assert "\r" not in t.text
    assert t.segment_text(t.segments[3]) == "Fordi næringa står saman. «Alle kjenner alle», som vi seier."
    _check_offsets(t, _raw("nn_cp1252.txt", "cp1252"))


def test_danish_and_initials():
    t = read1("da_utf8.txt")
    assert [(s.speaker, s.kind) for s in t.segments] == [
        ("Interviewer", "question"),
        ("Interviewperson", "answer"),
    ] * 2
    t = read1("initials.txt")
    assert [s.kind for s in t.segments] == ["question", "answer"] * 3
    assert any("guessed" in w for w in t.meta["warnings"])
    t = read1("initials.txt", interviewer=["PL"])
    assert [s.kind for s in t.segments] == ["answer", "question"] * 3
    assert t.meta["warnings"] == []


def test_timestamps_become_segment_times():
    t = read1("timestamps.txt")
    assert [(s.speaker, s.time_start) for s in t.segments] == [
        ("I", 5.0),
        ("R", 12.0),
        ("I", 62.0),
        ("R", 69.0),
    ]
    assert t.segments[1].meta["timestamps"] == [20.0]
    assert t.segment_text(t.segments[3]) == "Mest med [bedrift] og universitetet."
    assert ":" not in t.text.replace("?", "")
    _check_offsets(t, _raw("timestamps.txt", "utf-8"))


def test_interviewer_turns_kept_marked_and_counted():
    t = read1("nb_utf8.txt")
    q = [s for s in t.segments if s.kind == "question"]
    assert len(q) == 2 and t.meta["chars_interviewer"] == sum(s.end - s.start for s in q)
    assert t.meta["chars_analysis"] == sum(s.end - s.start for s in t.analysis_segments())
    t2 = read1("nb_utf8.txt", include_interviewer=True)
    assert t2.meta["chars_analysis"] == t.meta["chars_analysis"] + t.meta["chars_interviewer"]
    assert t2.segments == t.segments


def test_no_turns_is_one_segment_with_a_warning():
    with pytest.warns(DataWarning, match=r"no_turns\.txt: no speaker turns recognised"):
        t = read_path(DATA / "no_turns.txt")[0]
    assert len(t.segments) == 1 and t.segments[0].kind == "other"
    assert t.segment_text(t.segments[0]) == t.text.strip()


def test_docx_bold_labels_plain_labels_and_tables():
    t = read1("turns.docx")
    assert [(s.speaker, s.kind, s.time_start) for s in t.segments] == [
        (None, "other", None),
        ("Intervjuer", "question", None),
        ("Informant 4", "answer", None),
        ("I", "question", 601.0),
        ("R", "answer", 605.0),
    ]
    assert t.segment_text(t.segments[2]) == "Vi deler kunnskap med [bedrift] på [sted]."
    assert t.segment_text(t.segments[4]) == "Bra, XX prosent vekst."
    assert t.encoding == "docx"


def test_docx_made_in_the_test(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Interviewer: Hvad laver I?")
    d.add_paragraph("Interviewperson: Vi laver møbler.")
    d.save(tmp_path / "da.docx")
    t = read_path(tmp_path / "da.docx")[0]
    assert [(s.kind, t.segment_text(s)) for s in t.segments] == [
        ("question", "Hvad laver I?"),
        ("answer", "Vi laver møbler."),
    ]


def test_vtt_voice_tags_merge_cues_into_turns():
    t = read1("voices.vtt")
    got = [(s.speaker, s.kind, s.time_start, s.time_end, t.segment_text(s)) for s in t.segments]
    assert got == [
        ("Intervjuer", "question", 1.0, 3.5, "Hvordan startet det?"),
        (
            "Kari Nordmann",
            "answer",
            4.0,
            8.0,
            ("Det startet med et møte i 2015. Med [bedrift] & universitetet."),
        ),
        ("Intervjuer", "question", 8.5, 9.0, "Og så?"),
    ]
    raw = _raw("voices.vtt", "utf-8")
    assert raw[t.offset_map.to_raw(t.segments[1].start) :].startswith("Det startet")


def test_srt_speaker_prefixes_and_no_speakers():
    t = read1("speakers.srt")
    assert [(s.speaker, s.time_start, s.time_end, t.segment_text(s)) for s in t.segments] == [
        ("Speaker 1", 1.0, 4.0, "Hei og velkommen. Hvordan gikk det?"),
        ("Speaker 2", 4.5, 7.0, "Det gikk bra, takk."),
    ]
    raw = _raw("speakers.srt", "utf-8")
    i = t.text.index("Hvordan")
    assert raw[t.offset_map.to_raw(i) :].startswith("Hvordan <i>gikk")
    t = read1("no_speakers.srt")
    assert [t.segment_text(s) for s in t.segments] == [
        "Dette er første linje som fortsetter her.",
        "En ny del etter en pause.",
    ]
    assert any("no speaker tags" in w for w in t.meta["warnings"])


def test_csv_rows_grouped_by_interview():
    ts = read_path(DATA / "turns.csv")
    assert [t.id for t in ts] == ["turns:A", "turns:B"]
    assert ts[0].encoding == "cp1252"
    a = ts[0]
    assert [(s.speaker, s.kind, s.time_start, a.segment_text(s)) for s in a.segments] == [
        ("I", "question", 0.5, "Hva gjør dere?"),
        ("Kari", "answer", 2.0, "Vi lager ting; mye ting."),
    ]
    assert ts[1].segments[1].time_start == 5.0
    raw = _raw("turns.csv", "cp1252")
    s = a.segments[1]
    assert raw[a.offset_map.to_raw(s.start) :].startswith("Vi lager ting;")
    with pytest.warns(DataWarning, match="role unknown for speaker"):  # Kari and Ola alone: no interviewer
        one = read_path(DATA / "turns.csv", doc_column="taler", text_column="tekst")
    assert [t.id for t in one] == ["turns:I", "turns:Kari", "turns:Ola"]
    with pytest.raises(InputError, match=r"no column 'txt'.*--text-column"):
        read_path(DATA / "turns.csv", text_column="txt")


def test_jsonl_rows_and_transcript_records(tmp_path):
    t = read1("rows.jsonl")
    assert [(s.speaker, s.kind, s.time_start) for s in t.segments] == [
        ("Intervjuer", "question", 1.0),
        ("Informant", "answer", 3.5),
    ]
    out = tmp_path / "corpus.jsonl"
    write_jsonl(out, [t, read1("nb_utf8.txt")])
    assert read_path(out) == list(read_jsonl(out))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl, line 2: not valid JSON"):
        read_path(bad)


def test_pdf_layout_is_dispatched_to_pdftext(monkeypatch):
    import nlp.ingest
    from nlp.model import Transcript

    calls = []

    def stand_in(path, *, lang=None, id=None, encoding=None):
        calls.append((Path(path).name, id))
        return Transcript(id=id or "x", text="renset tekst", source=str(path), meta={"chars_in": 99})

    monkeypatch.setattr(nlp.ingest, "read_pdf_text", stand_in)
    t = read1("pdf_like.txt")
    assert calls == [("pdf_like.txt", "pdf_like")]
    assert t.meta["reader"] == "pdf-text" and t.meta["chars_in"] == 99 and t.encoding == "utf-8"
    read1("nb_utf8.txt", kind="pdf-text")
    assert calls[-1] == ("nb_utf8.txt", "nb_utf8")
    assert len(calls) == 2  # a typed transcript is not taken for a PDF
    read1("nb_utf8.txt")
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("empty.txt", InputError, r"empty\.txt: the file is empty"),
        ("binary.txt", EncodingError, r"binary\.txt: this is a binary file.*Fix:"),
        (
            "not_a_zip.docx",
            InputError,
            r"not_a_zip\.docx: this \.docx is not a Word document.*Fix: open it in Word",
        ),
        ("no_document.docx", InputError, r"no_document\.docx: this \.docx has no word/document\.xml"),
        ("missing.txt", InputError, r"missing\.txt: no such file"),
    ],
)
def test_bad_files_have_clear_errors(name, error, match):
    with pytest.raises(error, match=match):
        read_path(DATA / name)


def test_size_cap_is_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "stor.txt"
    with big.open("wb") as fh:  # a sparse 200 MB file: nothing is written, nothing may be read
        fh.truncate(200 * 1024 * 1024)

    def no_read(*a, **k):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    monkeypatch.setattr(Path, "open", no_read)
    with pytest.raises(
        InputError, match=r"stor\.txt: the file is 200\.0 MB, over the 50 MB limit.*--max-mb 201"
    ):
        read_path(big)


def test_unreadable_kinds_name_the_fix(tmp_path):
    for ext in (".doc", ".pdf", ".rtf"):
        with pytest.raises(InputError, match="Fix:"):
            detect_kind(tmp_path / f"a{ext}")
    with pytest.raises(EncodingError, match="unknown encoding 'x-nope'"):
        read_path(DATA / "nb_utf8.txt", encoding="x-nope")


def test_folder_with_bad_files_reads_all_others(tmp_path):
    for name in ("nb_utf8.txt", "da_utf8.txt", "empty.txt", "binary.txt", "not_a_zip.docx", "voices.vtt"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nb_utf8.docx").write_bytes((DATA / "turns.docx").read_bytes())
    (tmp_path / "bilde.png").write_bytes(b"\x89PNG")
    (tmp_path / "~$lås.docx").write_bytes(b"x")
    r = ingest_paths([tmp_path])
    assert [t.id for t in r.transcripts] == ["da_utf8", "nb_utf8", "nb_utf8.docx", "voices"]
    assert sorted(Path(p).name for p, _ in r.errors) == ["binary.txt", "empty.txt", "not_a_zip.docx"]
    assert all(Path(p).name in msg for p, msg in r.errors)
    assert sorted(Path(p).name for p, _ in r.skipped) == ["bilde.png", "~$lås.docx"]
    assert len(r.files) == 7 and not r.ok
    assert any("already used" in m for _, m in r.warnings)
    again = ingest_paths([tmp_path])
    assert [t.to_json() for t in again.transcripts] == [t.to_json() for t in r.transcripts]  # deterministic


def test_ingest_paths_collects_warnings():
    r = ingest_paths([DATA / "no_turns.txt", DATA / "initials.txt"])
    assert r.ok
    assert [Path(p).name for p, _ in r.warnings] == ["no_turns.txt", "initials.txt"]
    assert r.files[0].warnings and "no speaker turns" in r.files[0].warnings[0]


def test_transcript_ids_are_stable():
    assert transcript_id("x/Intervju 3 – Kari.docx") == "Intervju_3_Kari"
    assert transcript_id("x/rows.csv", 3) == "rows-3"
    t = read1("nb_utf8.txt")
    assert json.loads(json.dumps(t.to_json()))["id"] == "nb_utf8"


def test_zip_helper_is_a_real_zip():
    assert zipfile.is_zipfile(DATA / "no_document.docx")


def test_mixed_utf8_and_cp1252_lines(tmp_path):
    p = tmp_path / "blandet.txt"
    p.write_bytes("I: Liker du blåbær?\n".encode() + "R: Nei, rømmegrøt.\n".encode("cp1252"))
    with pytest.warns(DataWarning, match="mojibake"):
        t = read_path(p)[0]
    assert (t.encoding, t.text) == ("cp1252", "Liker du blåbær?\nNei, rømmegrøt.\n")


def test_qdpx_source_without_segments_gets_turns_and_keeps_code_offsets(tmp_path):
    from nlp.codebook import Code, Codebook
    from nlp.model import CodeSpan, Transcript
    from nlp.refi import write_qdpx

    text = "I: Hvordan deler dere kunnskap?\nR: Vi møtes hver uke i klyngen.\nI: Og tillit?\nR: Den er god."
    code = CodeSpan(code="trust_culture", start=text.index("Den er god"), end=len(text), coder="kari")
    src = Transcript(id="int1", text=text, codes=(code,))
    book = Codebook(name="t", codes=(Code(id="trust_culture", names={"nb": "Tillit"}),))
    qdpx = tmp_path / "p.qdpx"
    write_qdpx(qdpx, [src], book)
    (t,) = read_path(qdpx)
    assert t.text == text
    assert [(s.speaker, s.kind, t.text[s.start : s.end]) for s in t.segments][:2] == [
        ("I", "question", "Hvordan deler dere kunnskap?"),
        ("R", "answer", "Vi møtes hver uke i klyngen."),
    ]
    (unit,) = [u for u in iter_units([t]) if u.concepts("kari")]
    assert unit.text == "Den er god." and unit.concepts("kari") == {"trust_culture"}
