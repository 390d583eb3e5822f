"""REFI-QDA export/import speed and size on the bundled klynger corpus, against the JSONL baseline (engineer G).

Run: ``.venv/bin/python bench/refi.py [--repeat 5] [--scale 10]``. Prints a table of medians of CPU time (not wall time,
which on a shared machine varies with the others' load) over ``--repeat`` runs:
writing/reading the same transcripts as JSONL (our native format, the baseline, measured in the same run) vs writing
a ``.qdpx`` (with and without schema validation, LF and CRLF) and reading it back; file sizes; whether the round trip
is exact (text, segments, codes, codebook); how many codings of a foreign project land on the intended text when
positions are decided from the evidence (vs read as code points, as REFI-QDA 1.5 says); and how fast hostile files are
refused.
"""

from __future__ import annotations

import argparse
import bisect
import re
import statistics
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from nlp.corpora import load
from nlp.errors import InputError
from nlp.model import CodeSpan, read_jsonl, write_jsonl
from nlp.refi import read_qdpx_project, write_qdpx


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()  # CPU time: the machine is shared, wall time varies with the others' load
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def _scaled(transcripts, scale: int):
    """``scale`` copies of the corpus, each with an auto-coder copy of its human codes (probability attached)."""
    out = []
    for k in range(scale):
        for t in transcripts:
            auto = tuple(
                CodeSpan(
                    c.code,
                    c.start,
                    c.end,
                    coder="autokoder-v1",
                    source="auto",
                    confidence=round(0.5 + (i % 50) / 100, 2),
                )
                for i, c in enumerate(t.codes)
                if c.coder == "coder1"
            )
            out.append(replace(t, id=f"{t.id}-{k}", codes=t.codes + auto))
    return out


def _exact(original, project, codebook) -> bool:
    if project.codebook != codebook or len(project.transcripts) != len(original):
        return False
    for a, b in zip(original, project.transcripts):
        meta = {k: v for k, v in b.meta.items() if not k.startswith("refi_")}
        if (a.id, a.text, a.segments, a.lang, meta) != (b.id, b.text, b.segments, b.lang, dict(a.meta)):
            return False
        if sorted(map(repr, a.codes)) != sorted(map(repr, b.codes)):
            return False
    return True


def _with_emoji(t):
    """``t`` with an emoji before every line break, its codes moved along (what an NVivo user's text may look like)."""
    breaks = [i for i, ch in enumerate(t.text) if ch == "\n"]

    def move(o: int) -> int:
        return o + 2 * bisect.bisect_left(breaks, o)

    codes = tuple(replace(c, start=move(c.start), end=move(c.end)) for c in t.codes)
    return replace(t, text=t.text.replace("\n", " \U0001f642\n"), codes=codes, segments=())


def _foreign_accuracy(transcripts, codebook, tmp: Path) -> str:
    """Write the corpus (with emoji) as a program counting UTF-16 units over CRLF text would, under an origin that
    gives no hint, and count codings that select the intended text when read back by the evidence and as code
    points."""
    items = [_with_emoji(t) for t in transcripts]
    qd = tmp / "foreign.qdpx"
    write_qdpx(qd, items, codebook, newline="crlf", positions="utf16")
    with zipfile.ZipFile(qd) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.startswith("klyngekoder/")}
    qde = members["project.qde"].decode("utf-8").replace('origin="klyngekoder', 'origin="OtherQDA')
    members["project.qde"] = re.sub(r"<Description>Exported by[^<]*</Description>", "", qde).encode("utf-8")
    with zipfile.ZipFile(qd, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    wanted = sorted((t.text[c.start : c.end], c.code) for t in items for c in t.codes)
    out = []
    for positions in ("auto", "codepoints", "crlf-as-one"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                back = read_qdpx_project(qd, positions=positions).transcripts
        except InputError:
            out.append(f"{positions}: refused (positions past the end of a text)")
            continue
        got = Counter((t.text[c.start : c.end], c.code) for t in back for c in t.codes)
        hits = sum((got & Counter(wanted)).values())
        out.append(f"{positions}: {hits}/{len(wanted)}")
    return (
        "foreign project (emoji, CRLF, UTF-16 units, no origin hint): codings on the intended text: "
        + ", ".join(out)
    )


def _bench_corpus(label, transcripts, codebook, tmp: Path, repeat: int) -> list[tuple]:
    n_codes = sum(len(t.codes) for t in transcripts)
    jl, qd = tmp / "c.jsonl", tmp / "c.qdpx"
    cases = {
        "JSONL write (baseline)": lambda: write_jsonl(jl, transcripts),
        "JSONL read (baseline)": lambda: list(read_jsonl(jl)),
        "qdpx write lf, validated": lambda: write_qdpx(qd, transcripts, codebook),
        "qdpx write lf, no validation": lambda: write_qdpx(qd, transcripts, codebook, validate=False),
        "qdpx write crlf, validated": lambda: write_qdpx(qd, transcripts, codebook, newline="crlf"),
        "qdpx read (crlf file)": lambda: read_qdpx_project(qd),
    }
    rows = [
        (label, f"{len(transcripts)} docs, {n_codes} codes", name, _median(fn, repeat))
        for name, fn in cases.items()
    ]
    sizes = (jl.stat().st_size, qd.stat().st_size)
    exact = {}
    for nl in ("lf", "crlf"):
        write_qdpx(qd, transcripts, codebook, newline=nl)
        exact[nl] = _exact(transcripts, read_qdpx_project(qd), codebook)
    rows.append(
        (
            label,
            "",
            (
                f"sizes: JSONL {sizes[0]} B, qdpx (crlf) {sizes[1]} B; round trip exact "
                f"lf={exact['lf']} crlf={exact['crlf']}"
            ),
            None,
        )
    )
    t0 = time.perf_counter()
    accuracy = _foreign_accuracy(transcripts, codebook, tmp)
    rows.append((label, "", accuracy + f" ({time.perf_counter() - t0:.2f} s for write and both reads)", None))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=10)
    args = ap.parse_args()
    corpus = load("klynger")
    tmp = Path(tempfile.mkdtemp(prefix="bench-refi-"))
    rows = []
    rows += _bench_corpus("klynger x1", list(corpus.transcripts), corpus.codebook, tmp, args.repeat)
    rows += _bench_corpus(
        f"klynger x{args.scale} + auto",
        _scaled(corpus.transcripts, args.scale),
        corpus.codebook,
        tmp,
        args.repeat,
    )

    # hostile files: how fast they are refused (nothing is extracted; the bomb is never inflated)
    bomb = tmp / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", "<Project xmlns='urn:QDA-XML:project:1.0' name='x'/>")
        with zf.open("sources/bomb.txt", "w", force_zip64=True) as fh:
            block = b"\0" * 2**20
            for _ in range(512):
                fh.write(block)
    laughs = tmp / "laughs.qdpx"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    with zipfile.ZipFile(laughs, "w") as zf:
        zf.writestr(
            "project.qde",
            f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY l0 "lol">{entities}]>'
            "<Project xmlns='urn:QDA-XML:project:1.0' name='&l9;'/>",
        )
    for label, path in [
        (f"zip bomb 512 MiB ({bomb.stat().st_size} B on disk)", bomb),
        ("billion laughs (10^9 expansions)", laughs),
    ]:

        def refuse(path=path):
            try:
                read_qdpx_project(path)
            except InputError:
                return
            raise SystemExit(f"{path} was not refused")

        rows.append(("hostile", label, "refused with InputError", _median(refuse, args.repeat)))

    print(f"{'data':<24} {'size':<26} {'operation':<60} {'median CPU s':>12}")
    for data, size, op, sec in rows:
        print(f"{data:<24} {size:<26} {op:<60} {'' if sec is None else f'{sec:9.3f}'}")


if __name__ == "__main__":
    main()
