"""Nothing leaks around the text: ids, file names and metadata are pseudonymised (or refused), no replacement
crosses a line break or a turn, public bodies stay, and the written files keep their speaker labels and timestamps."""

import json
import re

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.errors import InputError
from nlp.ingest import read_path
from nlp.lang.names import PUBLIC_BODIES
from nlp.model import Transcript, read_jsonl
from nlp.pseudonymise import (
    PseudonymKey,
    check_pseudonymised,
    is_pseudonymised,
    project_entities,
    pseudonymise,
    reverse,
)

runner = CliRunner()
TYPED = (
    "Samtale om havbruksklyngen\n"
    "[00:00:03] Intervjuer: Hvem jobber du mest med?\n"
    "[00:00:09] Halvor Strømsnes: Mest med Lyngsfjord Akvateknikk AS i Skjervøy, og med Enova og Innovasjon "
    "Norge.\n"
    "[00:01:15] Intervjuer: Og forskningen?\n"
    "[00:01:20] Halvor Strømsnes: Vi har et prosjekt med UiT og Troms fylkeskommune, og vi leier av Kvænangen "
    "Maritime Senter\n"
    "Transkribert av Oddny Sandmo\n"
)


@pytest.fixture
def typed(tmp_path):
    path = tmp_path / "Halvor_Strømsnes_Skjervøy.txt"
    path.write_text(TYPED, encoding="utf-8")
    return path


def test_names_in_file_names_ids_and_segment_ids_are_replaced_and_restored(typed):
    (t,) = read_path(typed)
    assert t.id == "Halvor_Strømsnes_Skjervøy"
    (p,), key = pseudonymise([t], key=PseudonymKey(key_id="k"))
    leaked = re.compile("Halvor|Strømsnes|Skjervøy")
    assert not leaked.search(p.id) and not leaked.search(p.source)
    assert not any(leaked.search(s.id or "") or leaked.search(s.speaker or "") for s in p.segments)
    assert not leaked.search(json.dumps(p.meta, ensure_ascii=False))
    assert is_pseudonymised(p)
    check_pseudonymised([p])
    (back,) = reverse([p], key)
    assert (back.id, back.source, back.text) == (t.id, t.source, t.text)
    assert [s.id for s in back.segments] == [s.id for s in t.segments]


def test_a_marked_transcript_with_a_name_in_its_id_is_refused():
    marked = {"pseudonymised": {"key_id": "k"}}  # an older version's marker, or one written by hand
    bad = Transcript(
        id="Trond_Eliassen_Andøy", text="[person_1] svarte.", source="x/Trond_Eliassen_Andøy.txt", meta=marked
    )
    assert not is_pseudonymised(bad)
    with pytest.raises(InputError, match=r"Trond_Eliassen_Andøy.*name in their id or file name.*Trond"):
        check_pseudonymised([bad, Transcript(id="intervju_04", text="x", meta=marked)])
    res = runner.invoke(app, ["export", "--help"])
    assert "--require-pseudonymised" in res.output


def test_metadata_fields_are_pseudonymised():
    t = Transcript(
        id="i7",
        text="Vi startet i fjor.",
        meta={"intervjuobjekt": "Solveig Brattli", "notater": ["ringt av Per Ottesen"]},
    )
    (p,), key = pseudonymise([t], key=PseudonymKey(key_id="k"))
    dumped = json.dumps(p.meta, ensure_ascii=False)
    assert "Solveig" not in dumped and "Brattli" not in dumped and "Ottesen" not in dumped
    assert reverse([p], key)[0].meta == t.meta


def test_no_replacement_crosses_a_line_break_or_a_turn(typed):
    (t,) = read_path(typed)
    ents = project_entities([t])[0]
    assert ents and not any("\n" in e.text for e in ents)
    names = {e.text for e in ents}
    assert "Kvænangen Maritime Senter" in names and "Transkribert" not in " ".join(names)
    bounds = {b for s in t.segments for b in (s.start, s.end)}
    assert not any(e.start < b < e.end for e in ents for b in bounds)
    (p,), _ = pseudonymise([t], key=PseudonymKey(key_id="k"))
    assert re.search(r"leier av \[(?:person|navn)_\d+\]\nTranskribert av \[(?:person|navn)_\d+\]\n$", p.text)


def test_public_bodies_stay_unless_asked_and_keep_adds_more(typed):
    (t,) = read_path(typed)
    (p,), _ = pseudonymise([t], key=PseudonymKey(key_id="k"))
    for body in ("Enova", "Innovasjon Norge", "UiT", "Troms fylkeskommune"):
        assert body in PUBLIC_BODIES and body in p.text, body
    assert "Lyngsfjord" not in p.text and "Skjervøy" not in p.text
    (p2,), _ = pseudonymise([t], key=PseudonymKey(key_id="k"), keep_public_bodies=False)
    assert "Innovasjon Norge" not in p2.text
    (p3,), _ = pseudonymise([t], key=PseudonymKey(key_id="k"), keep=["Kvænangen Maritime Senter"])
    assert "Kvænangen Maritime Senter" in p3.text


def test_public_bodies_list_is_data_with_its_source():
    from pathlib import Path

    import nlp.lang

    text = (Path(nlp.lang.__file__).with_name("public_bodies.txt")).read_text(encoding="utf-8")
    assert "Source:" in text
    for body in (
        "Innovasjon Norge",
        "Enova",
        "Skattefunn",
        "Forskningsrådet",
        "SIVA",
        "NCE",
        "Arena",
        "GCE",
        "EU",
        "Horisont Europa",
        "Universitetet i Bergen",
        "Nordland fylkeskommune",
    ):
        assert body in PUBLIC_BODIES, body


def test_cli_writes_each_file_in_the_form_it_came_in(typed, tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("Kvænangen Maritime Senter\n", encoding="utf-8")
    out = tmp_path / "pseudo"
    res = runner.invoke(
        app,
        [
            "pseudonymise",
            str(typed),
            "--out",
            str(out),
            "--key",
            str(tmp_path / "k.json"),
            "--keep",
            str(keep),
        ],
    )
    assert res.exit_code == 0, res.output
    (written,) = out.glob("*.txt")
    assert not re.search("Halvor|Strømsnes|Skjervøy", written.name)
    text = written.read_text(encoding="utf-8")
    assert not re.search("Halvor|Strømsnes|Skjervøy|Lyngsfjord|Oddny", text)
    # the same lines, labels and timestamps as the original; the informant's label is a placeholder
    assert len(text.splitlines()) == len(TYPED.splitlines())
    assert text.startswith("Samtale om havbruksklyngen\n[00:00:03] Intervjuer: Hvem jobber du mest med?\n")
    assert re.search(r"^\[00:00:09\] \[person_\d+\]: Mest med \[firma_\d+\]", text, flags=re.MULTILINE)
    assert "Kvænangen Maritime Senter" in text and "Innovasjon Norge" in text
    (p,) = read_jsonl(out / "transcripts.jsonl")
    check_pseudonymised([p])
    res = runner.invoke(
        app,
        [
            "pseudonymise",
            str(typed),
            "--out",
            str(tmp_path / "all"),
            "--key",
            str(tmp_path / "k2.json"),
            "--replace-public-bodies",
        ],
    )
    assert res.exit_code == 0 and "Innovasjon Norge" not in next((tmp_path / "all").glob("*.txt")).read_text()
