"""Model folders without pickle: exact round trips, and a clear ModelFileError for every kind of damage."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nlp.artifacts import load_model_files, save_model_files
from nlp.errors import ModelFileError


def _save(tmp_path, **kw):
    path = tmp_path / "m"
    save_model_files(
        path,
        kind="demo",
        arrays={"w": np.arange(6.0).reshape(2, 3), "n": np.asarray([1, 2])},
        params={"vocab": ["kunnskap", "møte"]},
        meta={"scores": {"f1": 0.5}},
        **kw,
    )
    return path


def test_round_trip_and_meta(tmp_path):
    path = _save(tmp_path, extra_files={"codebook.yaml": b"name: x\n"})
    m = load_model_files(path, kind="demo")
    assert m.arrays["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and m.arrays["n"].dtype == np.int64
    assert m.params["vocab"] == ["kunnskap", "møte"]
    assert m.meta["scores"] == {"f1": 0.5}
    assert {"python", "numpy", "scikit-learn"} <= set(m.meta["versions"])
    assert set(m.meta["files"]) == {"weights.safetensors", "params.json", "codebook.yaml"}
    assert sorted(p.name for p in path.iterdir()) == [
        "codebook.yaml",
        "meta.json",
        "params.json",
        "weights.safetensors",
    ]


def test_no_pickle_anywhere(tmp_path):
    path = _save(tmp_path)
    for f in path.iterdir():
        data = f.read_bytes()
        assert b"\x80\x04\x95" not in data[:3] and b"numpy.core.multiarray" not in data
    json.loads((path / "params.json").read_text())  # plain JSON
    with pytest.raises(TypeError):
        save_model_files(
            tmp_path / "o", kind="demo", arrays={"x": np.asarray([{"a": 1}], dtype=object)}, params={}
        )


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "meta-json"])
def test_damaged_files_give_model_file_error(tmp_path, damage):
    path = _save(tmp_path)
    w = path / "weights.safetensors"
    if damage == "truncate":
        w.write_bytes(w.read_bytes()[:-7])
    elif damage == "flip":
        data = bytearray(w.read_bytes())
        data[-1] ^= 1
        w.write_bytes(bytes(data))
    elif damage == "delete":
        w.unlink()
    else:
        (path / "meta.json").write_text((path / "meta.json").read_text()[:40])
    with pytest.raises(ModelFileError) as err:
        load_model_files(path, kind="demo")
    msg = str(err.value)
    assert str(path) in msg and "Fix:" in msg
    expected = {
        "truncate": "truncated",
        "flip": "changed since it was saved",
        "delete": "missing",
        "meta-json": "not valid JSON",
    }[damage]
    assert expected in msg


def test_edited_params_detected(tmp_path):
    path = _save(tmp_path)
    p = path / "params.json"
    p.write_text(p.read_text().replace("kunnskap", "kunnskaq"))
    with pytest.raises(ModelFileError, match="params.json is changed"):
        load_model_files(path)


def test_wrong_kind_newer_format_and_not_a_folder(tmp_path):
    path = _save(tmp_path)
    with pytest.raises(ModelFileError, match="'demo' model, not a 'autocoder'"):
        load_model_files(path, kind="autocoder")
    meta = json.loads((path / "meta.json").read_text())
    meta["format_version"] = 99
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="newer"):
        load_model_files(path)
    with pytest.raises(ModelFileError, match="no model folder"):
        load_model_files(tmp_path / "nothing")


def test_replaces_a_model_but_not_another_folder(tmp_path):
    path = _save(tmp_path)
    save_model_files(path, kind="demo", arrays={"w": np.zeros(1)}, params={})
    assert load_model_files(path).arrays["w"].tolist() == [0.0]
    other = tmp_path / "docs"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ModelFileError, match="not a model folder"):
        save_model_files(other, kind="demo", arrays={}, params={})
    assert (other / "notes.txt").read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left


@settings(max_examples=25, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 4), st.integers(1, 5)),
        elements=st.floats(allow_nan=False, allow_infinity=True, width=64),
    )
)
def test_arrays_round_trip_exactly(tmp_path_factory, arr):
    path = tmp_path_factory.mktemp("h") / "m"
    save_model_files(path, kind="demo", arrays={"a": arr}, params={})
    out = load_model_files(path).arrays["a"]
    assert out.dtype == arr.dtype and out.shape == arr.shape and np.array_equal(out, arr)
