"""Pseudonymisation: detection rules, consistent placeholders, key files, exact reversal, codes kept in place."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import nlp.pseudonymise.replace as P
import nlp.pseudonymise.rules as R
from nlp.cli import app
from nlp.errors import InputError
from nlp.model import CodeSpan, Segment, Transcript, read_jsonl, write_jsonl


def _kinds(text, **kw):
    return [(e.text, e.kind) for e in R.detect_entities(text, **kw)]


# --- identity numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number,ok",
    [
        (
            "01010112377",
            True,
        ),  # check digits computed by the mod-11 rule (3 7 6 1 8 9 4 5 2 / 5 4 3 2 7 6 5 4 3 2)
        ("15076500565", True),  # widely published synthetic example
        ("01010112376", False),  # second check digit wrong
        ("01010112387", False),  # first check digit wrong
        ("32010112377", False),  # no 32nd day
        ("0101011237", False),  # ten digits
    ],
)
def test_fodselsnummer_mod11(number, ok):
    assert R.valid_fodselsnummer(number) is ok


def test_fnr_detected_only_when_valid():
    assert _kinds("Fnr. 01010112377 står her.") == [("01010112377", "fnr")]
    assert _kinds("Nummer 01010112376 står her.") == []


@pytest.mark.parametrize(
    "cpr,ok", [("010190-1234", True), ("311299-0001", True), ("320190-1234", False), ("011390-1234", False)]
)
def test_cpr(cpr, ok):
    assert R.valid_cpr(cpr) is ok
    assert (_kinds(f"CPR {cpr} her.") == [(cpr, "cpr")]) is ok


# --- contact details -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "91234567",
        "912 34 567",
        "22 33 44 55",
        "+47 912 34 567",
        "+4791234567",
        "0047 22 33 44 55",
        "+45 33 12 34 56",
        "+45 3312 3456",
        "4512 3456",
    ],
)
def test_phone_forms(phone):
    assert _kinds(f"ring meg på {phone} i morgen") == [(phone, "telefon")]


@pytest.mark.parametrize(
    "text",
    [
        "Det kostet 45 678 000 kroner.",
        "Kontonummer 1503 12 34567 er oppgitt.",
        "Det var 12345678901 besøkende.",
        "I 2005 var det 130 bedrifter.",
        "Versjon 1.2.3 og 3,14159265 er tall.",
    ],
)
def test_numbers_that_are_not_contact_details(text):
    assert [k for _, k in _kinds(text) if k in ("telefon", "fnr", "cpr", "postnr")] == []


def test_email_url_postcode():
    text = (
        "Skriv til kari.nordmann@firma.no eller se https://www.firma.no/om-oss. Adresse: Storgata 1, "
        "0155 Oslo. I Danmark: Vestergade 2, 8000 Aarhus C."
    )
    found = _kinds(text)
    assert ("kari.nordmann@firma.no", "epost") in found
    assert ("https://www.firma.no/om-oss", "url") in found
    assert ("0155 Oslo", "postnr") in found
    assert ("8000 Aarhus C", "postnr") in found


# --- names -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        # bokmål: given name + surname, company form, street suffix
        (
            "Vi møtte Kari Nordmann fra Hedmark Bygg AS på fredag.",
            [("Kari Nordmann", "person"), ("Hedmark Bygg AS", "firma")],
        ),
        # nynorsk: title before an unlisted surname
        ("Eg snakka med dagleg leiar, professor Skjervheim, om saka.", [("Skjervheim", "person")]),
        # Danish: ApS and A/S
        (
            "Vi arbejder med Vestjysk Stål ApS og Dansk Plast A/S i projektet.",
            [("Vestjysk Stål ApS", "firma"), ("Dansk Plast A/S", "firma")],
        ),
        # a cited author is a person even when the surname is an ordinary-looking word
        (
            "som vist tidligere (Power og Malmberg, 2005) er dette kjent.",
            [("Power", "person"), ("Malmberg", "person")],
        ),
        # hyphen compound: the name alone is replaced, not the common tail
        ("Arbeidet i Snøfnugg-prosjektet gikk bra.", [("Snøfnugg", "sted")]),
    ],
)
def test_name_rules(text, expected):
    assert _kinds(text) == expected


def test_sentence_initial_common_words_are_not_names():
    assert _kinds("Bedriften vokser. Samarbeid er viktig. Derfor satser vi.") == []


def test_keep_list_and_existing_placeholders():
    text = "Vi fikk støtte fra Innovasjon Norge, men [navn] i [bedrift] på [sted] og XX sa nei."
    assert _kinds(text, keep=["Innovasjon Norge"]) == []
    assert ("Innovasjon Norge", "firma") in _kinds(text)


def test_user_names_always_replaced():
    assert _kinds("han heter egentlig bare sjefen.", names={"sjefen": "person"}) == [("sjefen", "person")]


# --- project-wide consistency, key and reversal ---------------------------------------------------------------------


def test_consistent_across_files_and_sentence_initial():
    a = Transcript(id="a", text="Vi snakket med Ingrid Skjervheim om klyngen.")
    b = Transcript(id="b", text="Skjervheim mente at samarbeidet var godt. Ingrid Skjervheim var enig.")
    (pa, pb), key = P.pseudonymise([a, b], key=P.PseudonymKey(key_id="k"))
    assert pa.text == "Vi snakket med [person_1] om klyngen."
    assert pb.text == "[person_2] mente at samarbeidet var godt. [person_1] var enig."
    assert key.original("[person_2]") == "Skjervheim"


def test_key_reuse_keeps_numbering(tmp_path):
    t1 = Transcript(id="1", text="Kari Hansen jobber i Røros Metall AS.")
    _, key = P.pseudonymise([t1], key=P.PseudonymKey(key_id="k"))
    path = tmp_path / "key.json"
    key.save(path)
    t2 = Transcript(id="2", text="Røros Metall AS ansatte Ola Nordmann.")
    [p2], key2 = P.pseudonymise([t2], key=P.PseudonymKey.load(path))
    assert p2.text == "[firma_1] ansatte [person_2]."
    assert key2.key_id == "k"
    assert json.loads(path.read_text(encoding="utf-8"))["entries"]["[person_1]"]["text"] == "Kari Hansen"


def test_bad_key_file(tmp_path):
    bad = tmp_path / "key.json"
    bad.write_text('{"entries": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="not a pseudonymisation key"):
        P.PseudonymKey.load(bad)


def test_reverse_needs_the_right_key():
    [p], _ = P.pseudonymise([Transcript(id="x", text="Kari Hansen sa ja.")], key=P.PseudonymKey(key_id="one"))
    with pytest.raises(InputError, match="another key|not with"):
        P.reverse([p], P.PseudonymKey(key_id="two"))
    with pytest.raises(InputError, match="not pseudonymised"):
        P.reverse([Transcript(id="y", text="tekst")], P.PseudonymKey(key_id="one"))


def test_check_pseudonymised_names_every_missing_transcript():
    ok = Transcript(id="ok", text="x", meta={"pseudonymised": {"key_id": "k"}})
    with pytest.raises(InputError) as exc:
        P.check_pseudonymised(
            [ok, Transcript(id="a", text="x"), Transcript(id="b", text="y", source="b.txt")]
        )
    assert "'a'" in str(exc.value) and "'b' (b.txt)" in str(exc.value) and "'ok'" not in str(exc.value)
    P.check_pseudonymised([ok])


def test_codes_segments_speakers_and_meta_move_with_the_text():
    text = "Kari Hansen sa at Røros Metall AS trenger folk."
    t = Transcript(
        id="int-1",
        text=text,
        segments=(
            Segment(0, len(text), speaker="Kari Hansen", kind="answer", meta={"informant": "Kari Hansen"}),
        ),
        codes=(
            CodeSpan("skills", text.index("trenger"), len(text) - 1, "c1"),
            CodeSpan("firm", text.index("Røros"), text.index(" trenger"), "c1"),
        ),
        meta={"informant": "Kari Hansen"},
    )
    [p], key = P.pseudonymise([t], key=P.PseudonymKey(key_id="k"))
    assert p.text == "[person_1] sa at [firma_1] trenger folk."
    codes = {c.code: p.text[c.start : c.end] for c in p.codes}
    assert codes == {"skills": "trenger folk", "firm": "[firma_1]"}
    assert p.segments[0].speaker == "[person_1]" and p.segments[0].meta["informant"] == "[person_1]"
    assert p.meta["informant"] == "[person_1]" and p.meta["pseudonymised"]["key_id"] == "k"
    assert p.offset_map.to_raw(p.text.index("trenger")) == text.index("trenger")
    [r] = P.reverse([p], key)
    assert r == t


def test_names_csv_and_keep_list(tmp_path):
    csv = tmp_path / "names.csv"
    csv.write_text("name,kind\nKari Hansen,person\nBjørnstad Sag,firma\n\n# kommentar\nFjellbygda\n", "utf-8")
    assert P.load_names_csv(csv) == {
        "Kari Hansen": "person",
        "Bjørnstad Sag": "firma",
        "Fjellbygda": "person",
    }
    csv.write_text("Kari,person\nOla,hund\n", "utf-8")
    with pytest.raises(InputError, match="line 2"):
        P.load_names_csv(csv)
    keep = tmp_path / "keep.txt"
    keep.write_text("Innovasjon Norge  # offentlig\n\nNTNU\n", "utf-8")
    assert P.load_keep_list(keep) == ["Innovasjon Norge", "NTNU"]


# --- property: codes cover the same words after pseudonymisation and after reversal --------------------------------

_WORDS = [
    "og",
    "vi",
    "samarbeid",
    "klyngen",
    "bedriftene",
    "er",
    "viktig",
    "i",
    "med",
    "Kari",
    "Hansen",
    "Røros",
    "Metall",
    "AS",
    "Lillehammer",
    "Ola",
    "Nordmann",
    "912 34 567",
    "ola@firma.no",
    "[navn]",
    "XX",
    "ApS",
    "Mjøsbyen",
    "at",
    "det",
    ".",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30), st.data())
def test_property_codes_follow_words_and_reverse_is_exact(words, data):
    text = " ".join(words)
    starts, ends, pos = [], [], 0
    for w in words:  # codes start and end on the generated units (a phone number is one unit)
        starts.append(pos)
        ends.append(pos + len(w))
        pos += len(w) + 1
    codes = []
    for n in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(starts) - 1))
        j = data.draw(st.integers(i, len(starts) - 1))
        codes.append(CodeSpan(f"c{n}", starts[i], ends[j], "coder1"))
    t = Transcript(id="t", text=text, codes=tuple(codes), segments=(Segment(0, len(text), kind="answer"),))
    [p], key = P.pseudonymise([t], key=P.PseudonymKey(key_id="k"))
    table = {ph: v["text"] for ph, v in key.entries.items()}
    for before, after in zip(t.codes, p.codes, strict=True):
        restored = R.PLACEHOLDER_RE.sub(lambda m: table[m.group()], p.text[after.start : after.end])
        # a code that starts or ends inside a replaced name widens to the whole placeholder
        assert before.code == after.code
        assert text[before.start : before.end] in restored
    assert p.segments[0].start == 0 and p.segments[0].end == len(p.text)
    [r] = P.reverse([p], key)
    assert r.text == t.text and r.codes == t.codes and r.segments == t.segments


# --- CLI -----------------------------------------------------------------------------------------------------------


def test_cli_pseudonymise_and_reverse(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src,
        [
            Transcript(
                id="i1",
                text="Kari Hansen i Røros Metall AS, tlf. 912 34 567.",
                codes=(CodeSpan("x", 0, 11, "c1"),),
            ),
            Transcript(id="i2", text="Hansen ringte fra Lillehammer."),
        ],
    )
    runner = CliRunner()
    res = runner.invoke(
        app, ["pseudonymise", str(src), "--out", str(tmp_path / "out"), "--key", str(tmp_path / "key.json")]
    )
    assert res.exit_code == 0, res.output
    out = list(read_jsonl(tmp_path / "out" / "transcripts.jsonl"))
    assert out[0].text == "[person_1] i [firma_1], tlf. [telefon_1]."
    assert "Hansen" not in (tmp_path / "out" / "i2.txt").read_text(encoding="utf-8")
    P.check_pseudonymised(out)
    res = runner.invoke(
        app,
        [
            "pseudonymise",
            str(tmp_path / "out" / "transcripts.jsonl"),
            "--out",
            str(tmp_path / "back"),
            "--reverse",
            "--key",
            str(tmp_path / "key.json"),
        ],
    )
    assert res.exit_code == 0, res.output
    back = list(read_jsonl(tmp_path / "back" / "transcripts.jsonl"))
    assert [b.text for b in back] == [
        "Kari Hansen i Røros Metall AS, tlf. 912 34 567.",
        "Hansen ringte fra Lillehammer.",
    ]
    assert back[0].codes == (CodeSpan("x", 0, 11, "c1"),)


def test_cli_reverse_without_key_is_an_error(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [Transcript(id="i1", text="tekst")])
    res = CliRunner().invoke(app, ["pseudonymise", str(src), "--out", str(tmp_path / "o"), "--reverse"])
    assert res.exit_code != 0
