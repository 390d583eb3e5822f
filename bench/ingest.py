"""Ingest benchmark: turn accuracy and throughput on transcripts made from LIA, and on a large synthetic file.

    .venv/bin/python bench/ingest.py [--runs 5]

Corpora, built in a temporary folder in this run:
- LIA utterances: one file per recording area from ``../shared/data/ud/UD_Norwegian-NynorskLIA`` (train+dev+test),
  one ``speakerid: text`` line per utterance, a ``[hh:mm:ss]`` timestamp on every other line. Gold: the speaker,
  text and time of every utterance.
- Synthetic: a 10 MB cp1252 transcript with CRLF line ends, ``Intervjuer:``/``Informant 3:`` turns, timestamps.

Baseline in the same run: the naive reader a script would use (``read_text`` + a regex split on ``^\\w+:``), which
keeps no offsets, decodes only UTF-8 and removes no timestamps. Figures are medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.errors import DataWarning
from nlp.ingest import ingest_paths

LIA = ROOT.parent / "shared" / "data" / "ud" / "UD_Norwegian-NynorskLIA"


def make_lia(folder: Path) -> dict[str, list[tuple[str, str, float | None]]]:
    gold = {}
    by: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
    for split in ("train", "dev", "test"):
        text = spk = dialect = None
        for line in (LIA / f"no_nynorsklia-ud-{split}.conllu").read_text(encoding="utf-8").split("\n"):
            if line.startswith("# text = "):
                text = line[9:]
            elif line.startswith("# dialect:"):
                dialect, spk = re.match(r"# dialect: (\S+) speakerid: (\S+)", line).groups()
            elif not line.strip() and text:
                by.setdefault(f"{split}_{dialect}", []).append((spk, text))
                text = None
    for name, utts in by.items():
        lines, g = [], []
        for i, (spk, text) in enumerate(utts):
            ts = f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] " if i % 2 == 0 else ""
            lines.append(f"{ts}{spk}: {text}\n")
            g.append((spk, text, float(i) if i % 2 == 0 else None))
        (folder / f"{name}.txt").write_text("".join(lines), encoding="utf-8")
        gold[f"{name}.txt"] = g
    return gold


def make_synthetic(folder: Path, mb: float = 10.0) -> Path:
    turn = (
        "[00:{m:02d}:{s:02d}] Intervjuer: Hvordan startet samarbeidet i klyngen, og hva betydde det for dere?\r\n"
        "Informant 3: Det var [navn] fra [bedrift] som tok kontakt. Vi møttes på [sted], særlig om våren.\r\n"
    )
    parts, size, i = [], 0, 0
    while size < mb * 1024 * 1024:
        chunk = turn.format(m=i // 60 % 60, s=i % 60)
        parts.append(chunk)
        size += len(chunk.encode("cp1252"))
        i += 1
    path = folder / "synthetic.txt"
    path.write_bytes("".join(parts).encode("cp1252"))
    return path


_NAIVE = re.compile(r"^(\w+):\s*", re.MULTILINE)


def naive(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace")
        n += len(_NAIVE.split(text)) // 2
    return n


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore", DataWarning)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "lia").mkdir()
        gold = make_lia(tmp / "lia")
        big = make_synthetic(tmp)
        lia_files = sorted((tmp / "lia").glob("*.txt"))

        result = ingest_paths([tmp / "lia"])
        exact = total = times_ok = 0
        for t in result.transcripts:
            g = gold[Path(t.source).name]
            got = [(s.speaker, t.text[s.start : s.end], s.time_start) for s in t.segments]
            total += len(g)
            exact += sum(a[:2] == b[:2] for a, b in zip(got, g))
            times_ok += sum(a[2] == b[2] for a, b in zip(got, g))
        lia_chars = sum(len(p.read_text(encoding="utf-8")) for p in lia_files)
        big_chars = len(big.read_bytes())

        rows = [
            (
                "LIA utterances",
                "klyngekoder ingest",
                timed(lambda: ingest_paths([tmp / "lia"]), args.runs),
                lia_chars,
            ),
            ("LIA utterances", "baseline naive split", timed(lambda: naive(lia_files), args.runs), lia_chars),
            (
                "synthetic 10 MB cp1252",
                "klyngekoder ingest",
                timed(lambda: ingest_paths([big]), max(1, args.runs // 2)),
                big_chars,
            ),
            (
                "synthetic 10 MB cp1252",
                "baseline naive split",
                timed(lambda: naive([big]), max(1, args.runs // 2)),
                big_chars,
            ),
        ]
        print(
            f"LIA: {len(result.transcripts)} files, {total} utterances; speaker+text exact {exact}/{total} "
            f"({exact / total:.4f}); timestamps exact {times_ok}/{total}; errors {len(result.errors)}"
        )
        print()
        print("| corpus | reader | median s | M chars/s |")
        print("|---|---|---:|---:|")
        for corpus, reader, secs, chars in rows:
            print(f"| {corpus} | {reader} | {secs:.3f} | {chars / secs / 1e6:.2f} |")


if __name__ == "__main__":
    main()
