"""The data model: lossless JSONL round trip, and offset maps that point every kept character back to the raw text."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.clean import apply_edits
from nlp.model import CodeSpan, OffsetMap, Segment, Transcript, read_jsonl, write_jsonl

_TEXT = st.text(alphabet=st.sampled_from(list("abcæøå ÆØÅ\n.,[]:-XX0é\u0301😀")), max_size=60)
_META = st.dictionaries(
    st.sampled_from(["group", "informant", "line", "x"]),
    st.one_of(
        st.integers(-5, 5),
        st.text(max_size=5),
        st.booleans(),
        st.none(),
        st.lists(st.integers(0, 9), max_size=3),
    ),
    max_size=3,
)
_TIME = st.one_of(st.none(), st.floats(0, 1e5, allow_nan=False, allow_infinity=False))


@st.composite
def transcripts(draw):
    text = draw(_TEXT)
    n = len(text)

    def span():
        a = draw(st.integers(0, n))
        return a, draw(st.integers(a, n))

    segments = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = span()
        segments.append(
            Segment(
                start=a,
                end=b,
                speaker=draw(st.one_of(st.none(), st.sampled_from(["I", "R", "KM"]))),
                kind=draw(st.sampled_from(["question", "answer", "other"])),
                lang=draw(st.one_of(st.none(), st.sampled_from(["nb", "nn", "da"]))),
                time_start=draw(_TIME),
                time_end=draw(_TIME),
                id=draw(st.one_of(st.none(), st.text(min_size=1, max_size=8))),
                meta=draw(_META),
            )
        )
    codes = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = span()
        codes.append(
            CodeSpan(
                code=draw(st.sampled_from(["tillit", "polarity:driver", "kunnskap"])),
                start=a,
                end=b,
                coder=draw(st.sampled_from(["coder1", "coder2", "model-1"])),
                source=draw(st.sampled_from(["human", "auto"])),
                confidence=draw(st.one_of(st.none(), st.floats(0, 1))),
            )
        )
    anchors = sorted(
        {(0, 0), *draw(st.lists(st.tuples(st.integers(1, 80), st.integers(0, 200)), max_size=4))}
    )
    anchors = tuple(dict(anchors).items())
    return Transcript(
        id=draw(st.text(min_size=1, max_size=10)),
        text=text,
        segments=segments,
        codes=codes,
        source=draw(st.one_of(st.none(), st.just("a/intervju 1.docx"))),
        encoding=draw(st.one_of(st.none(), st.sampled_from(["utf-8", "cp1252", "utf-16"]))),
        lang=draw(st.one_of(st.none(), st.sampled_from(["nb", "da"]))),
        offset_map=OffsetMap(anchors),
        meta=draw(_META),
    )


@settings(max_examples=150, deadline=None)
@given(transcripts())
def test_json_round_trip_is_lossless(t):
    line = json.dumps(t.to_json(), ensure_ascii=False)
    back = Transcript.from_json(json.loads(line))
    assert back == t
    assert back.offset_map.anchors == t.offset_map.anchors
    assert [dict(s.meta) for s in back.segments] == [dict(s.meta) for s in t.segments]
    assert dict(back.meta) == dict(t.meta)


@settings(max_examples=30, deadline=None)
@given(st.lists(transcripts(), max_size=4))
def test_jsonl_file_round_trip(tmp_path_factory, ts):
    path = tmp_path_factory.mktemp("rt") / "corpus.jsonl"
    assert write_jsonl(path, ts) == len(ts)
    assert list(read_jsonl(path)) == ts


@st.composite
def text_and_edits(draw):
    text = draw(_TEXT)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    edits = []
    for a, b in zip(cuts[0::2], cuts[1::2]):
        if draw(st.booleans()):
            b = a  # an insertion
        edits.append((a, b, draw(st.sampled_from(["", "-", "\n", "øø", "XYZ"]))))
    return text, edits


def _kept_positions(text, edits):
    """New offset -> old offset for every character copied unchanged by apply_edits."""
    kept = {}
    new = old = 0
    for a, b, repl in sorted(edits) + [(len(text), len(text), "")]:
        while old < a:
            kept[new] = old
            new += 1
            old += 1
        new += len(repl)
        old = b
    return kept


@settings(max_examples=300, deadline=None)
@given(text_and_edits())
def test_apply_edits_maps_every_kept_character_back(case):
    text, edits = case
    new, m = apply_edits(text, edits)
    expected = text
    for a, b, repl in sorted(edits, reverse=True):
        expected = expected[:a] + repl + expected[b:]
    assert new == expected
    for i, j in _kept_positions(text, edits).items():
        assert m.to_raw(i) == j
        assert new[i] == text[j]


@settings(max_examples=300, deadline=None)
@given(text_and_edits(), st.data())
def test_composed_maps_point_to_the_raw_text(case, data):
    raw, edits1 = case
    stage1, m1 = apply_edits(raw, edits1)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(stage1)), max_size=6))))
    edits2 = [(a, b, data.draw(st.sampled_from(["", " ", "ab"]))) for a, b in zip(cuts[0::2], cuts[1::2])]
    stage2, m2 = apply_edits(stage1, edits2)
    total = m2.compose(m1)
    k1 = _kept_positions(raw, edits1)
    for i, j in _kept_positions(stage1, edits2).items():
        if j in k1:
            assert total.to_raw(i) == k1[j]
            assert stage2[i] == raw[total.to_raw(i)]


def test_identity_map_and_json():
    m = OffsetMap()
    assert m.to_raw(17) == 17
    assert OffsetMap.from_json(m.to_json()) == m
    assert OffsetMap(((3, 5),)).anchors == ((0, 0), (3, 5))
