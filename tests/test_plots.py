"""Plots: valid PNGs, byte-identical for the same data, clear errors for mismatched data, atomic writes."""

from __future__ import annotations

import struct

import pytest

from nlp.errors import InputError
from nlp.plots import plot_heatmap, plot_k_sweep, plot_top_words

TOPICS = [
    ("fiske · båt", [("torsk", 0.3), ("båt", 0.2), ("hav", 0.1)]),
    ("data · sky", [("data", 0.4), ("sky", 0.25)]),
    ("ærlig talt — ø", [("æøå", 0.5)]),
]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _draw_all(folder):
    return [
        plot_top_words(TOPICS, folder / "top.png", n_cols=2),
        plot_heatmap(
            [[0.1, 0.9, 0.0], [0.5, 0.25, 0.25]],
            ["case A", "case B"],
            ["T0", "T1", "T2"],
            folder / "heat.png",
            title="Prevalence",
        ),
        plot_k_sweep(
            [2, 4, 6],
            {"c_npmi": [0.01, 0.05, -0.02], "stability": [0.9, None, 0.6]},
            folder / "k.png",
            recommended=4,
        ),
    ]


def test_plots_are_valid_and_byte_identical(tmp_path):
    a = _draw_all(tmp_path / "a")
    b = _draw_all(tmp_path / "b")
    for p, q in zip(a, b):
        data = p.read_bytes()
        w, h = _png_size(data)
        assert w > 100 and h > 100
        assert data == q.read_bytes(), p.name
        assert b"Software" not in data and b"matplotlib" not in data  # no version stamp in the file
    assert sorted(x.name for x in (tmp_path / "a").iterdir()) == [
        "heat.png",
        "k.png",
        "top.png",
    ]  # no temp files


def test_figure_size_follows_the_data(tmp_path):
    small = _png_size(plot_top_words(TOPICS[:1], tmp_path / "s.png").read_bytes())
    big = _png_size(plot_top_words(TOPICS * 4, tmp_path / "b.png", n_cols=4).read_bytes())
    assert big[0] > small[0] and big[1] > small[1]


def test_mismatched_data_is_refused(tmp_path):
    with pytest.raises(InputError, match="2 x 3 table"):
        plot_heatmap([[0.1, 0.2]], ["a", "b"], ["x", "y", "z"], tmp_path / "h.png")
    with pytest.raises(InputError, match="3 values for 2 K"):
        plot_k_sweep([2, 4], {"c_v": [0.1, 0.2, 0.3]}, tmp_path / "k.png")
    with pytest.raises(InputError, match="no topics"):
        plot_top_words([], tmp_path / "t.png")
    assert not list(tmp_path.iterdir())


def test_a_failed_plot_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "top.png"
    target.write_bytes(b"old")
    from nlp import plots

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", boom)
    with pytest.raises(RuntimeError):
        plots.plot_top_words(TOPICS, target)
    assert target.read_bytes() == b"old"
