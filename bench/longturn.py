"""Tagging one very long turn: time and peak memory of `nlp tag` on a generated one-turn transcript.

A transcript of one interviewer question and one answer of ``--mb`` MB (default 60) is generated from the bundled
corpus' excerpts (sentences repeated in a seeded random order) and tagged as ``nlp tag MODEL FILE --max-mb N`` does
(read, units, ``tag_units``, JSONL out; through the library, because an older checkout's ``nlp tag`` has no
``--max-mb``) in a fresh process per run; the process reports its own peak RSS (``ru_maxrss``) and the wall time is
measured around it. The model is trained once on ``klynger`` (coder1, the default model, no cross-validation) and cached in
``out/bench/longturn-model``.

Baseline (same run): the same command with an older checkout first on ``PYTHONPATH`` (``--baseline DIR``, e.g. a
``git archive main`` unpacked in /tmp with the compiled ``nlp/_speedups*.so`` copied beside it); it tags the turn
as one text.

Run: ``.venv/bin/python bench/longturn.py [--mb 60] [--runs 3] [--baseline /tmp/main-checkout]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Reads, tags and writes the transcript as `nlp tag` does (read_path -> units -> tag_units -> JSONL), with no size
# cap, through the library of the checkout first on sys.path (an older checkout's `nlp tag` has no --max-mb), and
# prints the peak RSS (MB) of the process on stderr as the last line.
_RUNNER = (
    "import resource, sys\n"
    "from pathlib import Path\n"
    "from nlp.classify import load_coder\n"
    "from nlp.classify.tag import _units_from_transcripts, tag_units\n"
    "from nlp.ingest import read_path\n"
    "from nlp.model import json_line\n"
    "model, path, out = load_coder(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])\n"
    "units = _units_from_transcripts(read_path(path, max_bytes=None), str(path))\n"
    "with out.open('w', encoding='utf-8') as fh:\n"
    "    for rec in tag_units(model, units):\n"
    "        fh.write(json_line(rec))\n"
    "print(f'PEAK_RSS_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}', file=sys.stderr)\n"
)


def model_dir() -> Path:
    path = ROOT / "out" / "bench" / "longturn-model"
    if not (path / "meta.json").exists():
        from nlp.classify import save_coder, train_from_units
        from nlp.corpora import load

        corpus = load("klynger")
        fitted, meta = train_from_units(
            corpus.units(), coder="coder1", codebook=corpus.codebook, n_splits=0, curve=False
        )
        save_coder(fitted, path, codebook=corpus.codebook, meta=meta)
    return path


def one_turn_file(path: Path, mb: float, seed: int = 0) -> int:
    """A typed transcript: one question, then one answer of about ``mb`` MB (UTF-8). Returns its size in bytes."""
    from nlp.corpora import load

    sentences = [
        s.strip()
        for u in load("klynger").units()
        for s in u.text.replace("\n", " ").split(". ")
        if len(s.strip()) > 20
    ]
    rng = random.Random(seed)
    target = int(mb * 1024 * 1024)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        head = "I: Kan du fortelle om samarbeidet i klyngen?\nR: "
        fh.write(head)
        size += len(head.encode("utf-8"))
        while size < target:
            s = rng.choice(sentences).rstrip(".") + ". "
            fh.write(s)
            size += len(s.encode("utf-8"))
        fh.write("\n")
    return path.stat().st_size


def run(
    checkout: Path, model: Path, transcript: Path, out: Path, *, limit_mb: float
) -> tuple[float, float, dict | None]:
    """Tag in a fresh process; ``(wall s, peak RSS MB, answer summary)``. A process whose memory passes
    ``limit_mb`` is stopped (so the machine is not exhausted): then the summary is None and the peak is a lower
    bound."""
    import psutil

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(model), str(transcript), str(out)],
        env=env,
        cwd=checkout,  # `python -c` puts the working folder first on sys.path
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen, stopped = 0.0, False
    watched = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            seen = max(seen, watched.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            break
        if seen > limit_mb:
            child.kill()
            stopped = True
            break
        time.sleep(0.2)
    _, err = child.communicate()
    wall = time.perf_counter() - t0
    if stopped:
        return wall, seen, None
    peak = next(
        (float(line.split()[1]) for line in reversed(err.splitlines()) if line.startswith("PEAK_RSS_MB")),
        seen,
    )
    if child.returncode != 0:
        raise SystemExit(f"{checkout}: tagging failed ({child.returncode}):\n{err[-2000:]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    answer = max(records, key=lambda r: r["end"] - r["start"])
    summary = {
        "codes": answer["codes"],
        "polarity": answer["polarity"],
        "chars": answer["end"] - answer["start"],
    }
    return wall, peak, summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=60.0, help="size of the generated transcript")
    ap.add_argument("--runs", type=int, default=3, help="runs per checkout (median reported)")
    ap.add_argument("--baseline", type=Path, help="an older checkout to measure in the same run")
    ap.add_argument(
        "--limit-gb",
        type=float,
        default=10.0,
        help="stop a run whose memory passes this (reported as at least that much)",
    )
    args = ap.parse_args()
    model = model_dir()
    with tempfile.TemporaryDirectory() as tmp:
        transcript = Path(tmp) / "one_turn.txt"
        size = one_turn_file(transcript, args.mb)
        print(f"one-turn transcript: {size / 1024 / 1024:.1f} MB; model {model}")
        checkouts = [("this checkout", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
        results: dict[str, list[tuple[float, float, dict]]] = {name: [] for name, _ in checkouts}
        for _ in range(args.runs):  # taking turns, so both see the same machine load
            for name, checkout in checkouts:
                results[name].append(
                    run(
                        checkout, model, transcript, Path(tmp) / "tagged.jsonl", limit_mb=args.limit_gb * 1024
                    )
                )
        print(f"{'':15s} {'wall s (median)':>16s} {'peak RSS MB (median)':>21s}  runs  answer tagged")
        for name, rows in results.items():
            walls = [w for w, _, _ in rows]
            peaks = [p for _, p, _ in rows]
            done = [s for _, _, s in rows if s is not None]
            if len(done) < len(rows):
                print(
                    f"{name:15s} {'> ' + format(statistics.median(walls), '.1f'):>16s} "
                    f"{'> ' + format(max(peaks), '.0f'):>21s}  {len(rows):4d}  stopped at the {args.limit_gb:g} GB "
                    f"limit in {len(rows) - len(done)} run(s)"
                )
                continue
            s = done[-1]
            print(
                f"{name:15s} {statistics.median(walls):16.1f} {statistics.median(peaks):21.0f}  {len(rows):4d}  "
                f"{s['chars']:,} chars, codes {', '.join(s['codes']) or '-'}, polarity {s['polarity']}"
            )


if __name__ == "__main__":
    main()
