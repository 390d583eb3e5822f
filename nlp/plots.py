"""Figures as PNG files: small functions that take plain data (lists, dicts) and a path.

Matplotlib's object API with the Agg canvas (no pyplot, no global state, no display needed). Every figure is written
through :func:`save_figure`, atomically, with fixed metadata, so the same data gives a byte-identical file.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import InputError
from .model import atomic_writer

__all__ = [
    "new_figure",
    "plot_bars",
    "plot_heatmap",
    "plot_k_sweep",
    "plot_learning_curve",
    "plot_top_words",
    "save_figure",
]

DPI = 100


def new_figure(width: float, height: float):
    """A matplotlib ``Figure`` on an Agg canvas (inches)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path: str | Path) -> Path:
    """Render ``fig`` to PNG and write it atomically to ``path`` (deterministic: no software/date metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    with atomic_writer(path, mode="wb") as fh:
        fh.write(buf.getvalue())
    return Path(path)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def plot_bars(
    ax, labels: Sequence[str], values: Sequence[float], *, title: str = "", color: str = "#4c72b0"
) -> None:
    """Horizontal bars on ``ax``, the first label at the top."""
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, list(values), color=color)
    ax.set_yticks(ys)
    ax.set_yticklabels([_short(str(lab), 24) for lab in labels], fontsize=8)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(3))
    ax.tick_params(axis="x", labelsize=7)
    if title:
        import textwrap

        ax.set_title("\n".join(textwrap.wrap(_short(title, 64), 32)), fontsize=8)


def plot_top_words(
    topics: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    path: str | Path,
    *,
    n_cols: int = 4,
    title: str = "Top words per topic",
) -> Path:
    """One bar panel per topic: ``topics`` is a list of ``(label, [(word, weight), ...])``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = plot_top_words([("fiske", [("fisk", 0.3), ("båt", 0.2)])], os.path.join(tempfile.mkdtemp(), "t.png"))
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    if not topics:
        raise InputError("no topics to plot.")
    n_cols = max(1, min(n_cols, len(topics)))
    n_rows = -(-len(topics) // n_cols)
    n_words = max(len(words) for _, words in topics)
    fig = new_figure(3.2 * n_cols, 0.22 * n_words * n_rows + 1.1 * n_rows + 0.6)
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= len(topics):
            ax.set_axis_off()
            continue
        label, words = topics[i]
        plot_bars(ax, [w for w, _ in words], [float(v) for _, v in words], title=f"{i}: {label}")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_heatmap(
    matrix: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    path: str | Path,
    *,
    title: str = "",
    cmap: str = "viridis",
    annotate: bool = True,
    value_format: str = "{:.2f}",
    xlabel: str = "",
    ylabel: str = "",
) -> Path:
    """A labelled heatmap of a rows x columns table, with the values written in the cells.

    Examples
    --------
    >>> import tempfile, os
    >>> p = plot_heatmap([[0.1, 0.9]], ["A"], ["t0", "t1"], os.path.join(tempfile.mkdtemp(), "h.png"))
    >>> p.stat().st_size > 0
    True
    """
    import numpy as np

    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape != (len(row_labels), len(col_labels)) or m.size == 0:
        raise InputError(
            f"a heatmap needs a {len(row_labels)} x {len(col_labels)} table, got shape {m.shape}."
        )
    fig = new_figure(min(4.0 + 0.6 * m.shape[1], 24.0), min(2.2 + 0.3 * m.shape[0], 30.0))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(m, aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_xticks(range(m.shape[1]))
    ax.set_xticklabels([_short(str(c), 20) for c in col_labels], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(m.shape[0]))
    ax.set_yticklabels([_short(str(r), 36) for r in row_labels], fontsize=7)
    if annotate and m.size <= 600:
        hi = np.nanmax(m) if np.isfinite(m).any() else 0.0
        for (i, j), v in np.ndenumerate(m):
            ax.text(
                j,
                i,
                value_format.format(v),
                ha="center",
                va="center",
                fontsize=6,
                color="black" if v > 0.6 * hi else "white",
            )
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_k_sweep(
    ks: Sequence[int],
    metrics: Mapping[str, Sequence[float | None]],
    path: str | Path,
    *,
    recommended: int | None = None,
    title: str = "Choosing the number of topics",
) -> Path:
    """One panel per metric against K (e.g. c_npmi, c_v, stability, diversity), the recommended K marked.

    Examples
    --------
    >>> import tempfile, os
    >>> p = plot_k_sweep([2, 4], {"c_npmi": [0.1, 0.2]}, os.path.join(tempfile.mkdtemp(), "k.png"), recommended=4)
    >>> p.exists()
    True
    """
    if not ks or not metrics:
        raise InputError("no K values or metrics to plot.")
    for name, vals in metrics.items():
        if len(vals) != len(ks):
            raise InputError(f"metric {name!r} has {len(vals)} values for {len(ks)} K values.")
    names = list(metrics)
    fig = new_figure(3.0 * len(names), 3.0)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        pts = [(k, v) for k, v in zip(ks, metrics[name]) if v is not None]
        ax.plot([k for k, _ in pts], [v for _, v in pts], marker="o", color="#4c72b0")
        if recommended is not None:
            ax.axvline(recommended, color="#c44e52", linestyle="--", linewidth=1)
        ax.set_xlabel("K (topics)", fontsize=8)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
    fig.suptitle(
        title + (f" (recommended K = {recommended})" if recommended is not None else ""), fontsize=10
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_learning_curve(
    rows: Sequence[Mapping[str, float]],
    path: str | Path,
    *,
    x: str = "n_groups",
    metrics: Sequence[str] = ("concept_macro_f1", "concept_micro_f1", "polarity_kappa"),
    title: str = "Learning curve",
) -> Path:
    """Quality metrics (one line each) against the amount of coded data (``x``, e.g. coded interview groups).

    Examples
    --------
    >>> import tempfile, os
    >>> rows = [{"n_groups": 2, "concept_macro_f1": 0.2}, {"n_groups": 8, "concept_macro_f1": 0.4}]
    >>> plot_learning_curve(rows, os.path.join(tempfile.mkdtemp(), "lc.png"), metrics=["concept_macro_f1"]).exists()
    True
    """
    if not rows:
        raise InputError("no learning-curve points to plot.")
    fig = new_figure(5.5, 3.4)
    ax = fig.add_subplot(1, 1, 1)
    xs = [float(r[x]) for r in rows]
    for name in metrics:
        ys = [r.get(name) for r in rows]
        pts = [(a, float(b)) for a, b in zip(xs, ys) if b is not None and not math.isnan(b)]
        if pts:
            ax.plot([a for a, _ in pts], [b for _, b in pts], marker="o", label=name.replace("_", " "))
    ax.set_xlabel("coded interview groups used for training" if x == "n_groups" else x, fontsize=8)
    ax.set_ylabel("score (held-out groups)", fontsize=8)
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)
