"""The main job as users run it: ``nlp report --corpus klynger --reference coder1`` in a fresh process, wall time
and peak RSS, runs taking turns with a baseline checkout (median of several runs, measured in the same run).

    .venv/bin/python bench/mainjob.py [--baseline DIR] [--runs 3] [--variant "--encoder none"]

Each version runs with its own checkout first on ``PYTHONPATH`` and this venv's Python; every run writes into a
fresh temporary folder (the embeddings cache included, so an encoder run embeds the corpus every time, as a first
run does). ``--variant`` adds a run of this checkout with extra options (e.g. ``--encoder none``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ["-m", "nlp", "report", "--corpus", "klynger", "--reference", "coder1"]


def run_once(checkout: Path, extra: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one main job in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *COMMAND, "--out", str(Path(tmp) / "out"), *extra],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if status != 0:
            raise SystemExit(f"{checkout}: the main job failed:\n{err[-2000:]}")
        return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--baseline", type=Path, help="another checkout (e.g. a git worktree of an earlier commit)"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--variant", default=None, help='extra options for a third version, e.g. "--encoder none"'
    )
    args = ap.parse_args()
    versions: list[tuple[str, Path, list[str]]] = [("this checkout", ROOT, [])]
    if args.variant:
        versions.append((f"this checkout {args.variant}", ROOT, shlex.split(args.variant)))
    if args.baseline:
        versions.append((f"baseline {args.baseline}", args.baseline.resolve(), []))
    times: dict[str, list[float]] = {name: [] for name, _, _ in versions}
    rss: dict[str, list[float]] = {name: [] for name, _, _ in versions}
    for n in range(args.runs):
        for name, checkout, extra in versions:  # taking turns: load changes hit every version alike
            wall, mb = run_once(checkout, extra)
            times[name].append(wall)
            rss[name].append(mb)
            print(f"run {n + 1}: {name}: {wall:.1f} s, {mb:.0f} MB", flush=True)
    print(f"\nmain job, median of {args.runs} runs (load average now {os.getloadavg()[0]:.1f}):")
    for name, _, _ in versions:
        print(
            f"  {name}: {statistics.median(times[name]):.1f} s ({min(times[name]):.1f}-{max(times[name]):.1f}), "
            f"peak RSS {statistics.median(rss[name]):.0f} MB"
        )


if __name__ == "__main__":
    main()
