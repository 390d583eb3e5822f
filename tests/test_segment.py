"""Speaker turns, timestamps and windows: labels and times leave the text, segments and offsets stay exact."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.model import Segment
from nlp.segment import (
    detect_turns,
    find_timestamps,
    label_role,
    parse_timestamp,
    segment_turns,
    turn_windows,
)


def _turns(text, **kw):
    r = segment_turns(text, **kw)
    return [(s.speaker, s.kind, r.text[s.start : s.end]) for s in r.segments], r


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I: Korleis starta det?\nR: Med eit møte.",
            [("I", "question", "Korleis starta det?"), ("R", "answer", "Med eit møte.")],
        ),
        (
            "Intervjuer: Hva gjør dere?\nInformant 3: Vi lager ting.\nInformant 3: Og mer.",
            [
                ("Intervjuer", "question", "Hva gjør dere?"),
                ("Informant 3", "answer", "Vi lager ting."),
                ("Informant 3", "answer", "Og mer."),
            ],
        ),
        ("Int: Hvorfor?\nResp: Fordi.", [("Int", "question", "Hvorfor?"), ("Resp", "answer", "Fordi.")]),
        (
            "Interviewer: Hvad laver I?\nInterviewperson: Vi laver software, ikke?",
            [
                ("Interviewer", "question", "Hvad laver I?"),
                ("Interviewperson", "answer", "Vi laver software, ikke?"),
            ],
        ),
        (
            "I: Hva tenker du?\nKM: Tja.\nI: Og?\nKM: Ja.",  # initials beside a known interviewer are the informant
            [
                ("I", "question", "Hva tenker du?"),
                ("KM", "answer", "Tja."),
                ("I", "question", "Og?"),
                ("KM", "answer", "Ja."),
            ],
        ),
        (
            "I\tHva gjør dere?\nR\tVi selger.",
            [("I", "question", "Hva gjør dere?"), ("R", "answer", "Vi selger.")],
        ),
        (
            "Intervjuer:\nHva gjør dere?\n\nInformant:\nVi lager\nmange ting.",
            [("Intervjuer", "question", "Hva gjør dere?"), ("Informant", "answer", "Vi lager\nmange ting.")],
        ),
    ],
)
def test_speaker_forms(text, expected):
    got, r = _turns(text)
    assert got == expected
    assert not any("no speaker turns" in w for w in r.warnings)


def test_initials_alone_get_roles_from_question_marks_with_a_warning():
    got, r = _turns("KM: Hvordan startet det?\nPL: Tilfeldig.\nKM: Hvorfor?\nPL: Vi møttes på [sted].")
    assert [k for _, k, _ in got] == ["question", "answer", "question", "answer"]
    assert any("guessed" in w for w in r.warnings)
    got, r = _turns("KM: Hvordan startet det?\nPL: Tilfeldig.", interviewer=["PL"])
    assert [k for _, k, _ in got] == ["answer", "question"]


def test_unknown_roles_are_other_with_a_warning():
    got, r = _turns("Speaker 1: Hei.\nSpeaker 2: Hei hei.")
    assert [k for _, k, _ in got] == ["other", "other"]
    assert any("role unknown" in w for w in r.warnings)


def test_prose_with_colons_is_not_turns():
    text = "Merk: dette er et notat.\nHan sa det slik: vi må samarbeide.\nKilde: rapporten."
    got, r = _turns(text)
    assert got == [(None, "other", text)]
    assert any("no speaker turns" in w for w in r.warnings)


def test_recurring_names_and_speaker_ids_are_speakers():
    got, _ = _turns("Kari: Hei.\nOla: Hei på deg.\nKari: Korleis går det?\nOla: Bra.")
    assert [s for s, _, _ in got] == ["Kari", "Ola", "Kari", "Ola"]
    got, _ = _turns(
        "eidsberg_uio_03: ja .\neidsberg_uio_01: korleis var det ?\neidsberg_uio_03: det var fint .\n"
        "eidsberg_uio_01: ja ?"
    )
    assert [s for s, _, _ in got] == ["eidsberg_uio_03", "eidsberg_uio_01"] * 2
    once, _ = _turns("Kari: Hei.\nDet var alt.")  # a name used once is not enough
    assert once[0][0] is None


def test_preamble_is_kept_as_its_own_segment():
    got, r = _turns("Intervju 3, Hamar 12.03.2021\n\nI: Hei?\nR: Hei.")
    assert got[0] == (None, "other", "Intervju 3, Hamar 12.03.2021")
    assert r.segments[0].meta == {"preamble": True}


@pytest.mark.parametrize(
    ("mark", "seconds"),
    [
        ("00:12:34", 754.0),
        ("[00:12:34]", 754.0),
        ("(12:34)", 754.0),
        ("1:02:03.5", 3723.5),
        ("#00:00:07-3#", 7.3),
        ("00:00:01,250", 1.25),
    ],
)
def test_parse_timestamp(mark, seconds):
    assert parse_timestamp(mark) == seconds


def test_timestamps_leave_the_text_and_become_times():
    text = (
        "[00:12:34] I: Hva skjedde?\n"
        "00:12:40 - R: Vi startet (12:45) et prosjekt med [bedrift]. [00:13:02]\n"
        "I: [00:13:05] Og så?\n"
        "R: Kl. 12:30 hver dag møtes vi."
    )
    got, r = _turns(text)
    assert got == [
        ("I", "question", "Hva skjedde?"),
        ("R", "answer", "Vi startet et prosjekt med [bedrift]."),
        ("I", "question", "Og så?"),
        ("R", "answer", "Kl. 12:30 hver dag møtes vi."),
    ]
    segs = r.segments
    assert (segs[0].time_start, segs[0].time_end) == (754.0, None)
    assert (segs[1].time_start, segs[1].time_end, segs[1].meta["timestamps"]) == (760.0, 782.0, [765.0])
    assert segs[2].time_start == 785.0
    assert segs[3].time_start is None  # a time of day inside a sentence is text, not a timestamp


def test_find_timestamps_only_bare_at_line_start():
    marks = find_timestamps("Møtet 12:30 var bra.\n12:31 Neste.")
    assert [m.seconds for m in marks] == [751.0]


def test_placeholders_kept_verbatim():
    got, _ = _turns("I: Hvem?\nR: [navn] fra [bedrift] på [sted], XX år.")
    assert got[1][2] == "[navn] fra [bedrift] på [sted], XX år."


def test_label_role_table():
    assert [
        label_role(x)
        for x in (
            "I",
            "Int.",
            "Intervjuar",
            "Interviewer",
            "Q",
            "R",
            "Resp",
            "Informant 12",
            "Interviewperson",
            "IP",
            "KM",
            "Speaker 1",
        )
    ] == ["question"] * 5 + ["answer"] * 5 + [None, None]


_LABELS = st.sampled_from(["I", "R", "Intervjuer", "Informant 3", "Int", "Resp"])
_WORDS = st.lists(
    st.sampled_from(
        [
            "ja",
            "nei",
            "[navn]",
            "XX",
            "bedrifta",
            "på",
            "Røros",
            "eh",
            "det,",
            "vi?",
            "1:2",
            "(ler)",
            "Å",
            "så.",
        ]
    ),
    min_size=1,
    max_size=8,
).map(" ".join)
_TIMES = st.one_of(st.none(), st.tuples(st.integers(0, 2), st.integers(0, 59), st.integers(0, 59)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_LABELS, _WORDS, _TIMES, st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=8))
def test_generated_transcripts_split_exactly(turns):
    raw = ""
    expected = []
    for label, words, time, sep in turns:
        prefix = f"[{time[0]:02d}:{time[1]:02d}:{time[2]:02d}] " if time else ""
        line = f"{prefix}{label}: "
        start = len(raw) + len(line)
        raw += line + words + sep
        expected.append((label, words, start, time))
    r = segment_turns(raw)
    assert [(s.speaker, r.text[s.start : s.end]) for s in r.segments] == [
        (lab, w) for lab, w, _, _ in expected
    ]
    for s, (_, words, start, time) in zip(r.segments, expected):
        assert r.offset_map.to_raw(s.start) == start  # the map points at the turn's words in the raw text
        assert raw[r.offset_map.to_raw(s.start) : r.offset_map.to_raw(s.start) + len(words)] == words
        assert s.time_start == (None if time is None else time[0] * 3600 + time[1] * 60 + time[2])
        assert s.kind == ("question" if s.speaker in ("I", "Intervjuer", "Int") else "answer")


def test_detect_turns_reports_content_ranges():
    turns, _ = detect_turns("I: Hei?\nR: Hei.")
    assert [(t.label, t.start, t.end) for t in turns] == [("I", 3, 7), ("R", 11, 15)]


def test_turn_windows():
    segs = [
        Segment(0, 4, "I", "question"),
        Segment(5, 9, "R", "answer"),
        Segment(10, 14, "I", "question"),
        Segment(15, 19, "R", "answer"),
    ]
    wins = turn_windows(segs, size=2, step=2)
    assert [(w.start, w.end, w.meta["turns"]) for w in wins] == [(0, 9, [0, 1]), (10, 19, [2, 3])]
    answers = turn_windows(segs, size=2, include_interviewer=False)
    assert [(w.start, w.end, w.kind, w.speaker) for w in answers] == [(5, 19, "answer", "R")]
    assert turn_windows(segs[:1], size=3)[0].end == 4


def test_tight_colons_and_multiword_role_labels():
    got, _ = _turns("I:Hva gjør dere?\nR:Vi lager ting.")
    assert got == [("I", "question", "Hva gjør dere?"), ("R", "answer", "Vi lager ting.")]
    got, _ = _turns(
        "Intervjuer: Hva er din rolle?\nDaglig leder: Jeg leder bedriften.\nIntervjuer: Og?\n"
        "Daglig leder: Og styret."
    )
    assert [(s, k) for s, k, _ in got] == [("Intervjuer", "question"), ("Daglig leder", "answer")] * 2
    got, _ = _turns("Se http://example.org\nTel:Kari\nmer tekst")
    assert got[0][0] is None
