#!/usr/bin/env python
"""Speed/memory bench: end-to-end ingest + preprocess on ONE core, ours vs a spaCy blank-pipeline baseline.

Corpus: every sentence of the UD/LIA CoNLL-U files and the Danish LCC sentences in ``../shared/data`` (nb, nn, da,
sv, spoken nn), written as typed interview transcripts (``I:``/``R:`` turns, ~40 sentences per file) into a temp
folder. The source text is about 0.6M tokens, so the large corpus repeats it (each pass in new files) until it
holds at least 1M whitespace tokens; the small corpus is a quarter of that, to show that memory stays flat.

Pipelines (same run, same files, each in a fresh subprocess pinned to CPU 0, taking turns, median of ``--runs``):
- ours: ``nlp.ingest.read_path`` -> ``nlp.normalise.preprocess.preprocess_transcript`` (language id per transcript and turn,
  tokens with offsets, lemmas, flags) -> one JSONL line per transcript, streamed to disk (``nlp.model.json_line``,
  the package's writer, which the baseline uses too: the pipelines differ only in the preprocessing).
- baseline (the issue's): the same ``read_path`` -> ``spacy.blank(lang)`` + its lookup lemmatiser (tables from
  spacy-lookups-data, installed by the dev extra) over each segment (lang known from the file; nn -> nb since spaCy
  has no nynorsk); written as the same JSONL (``starts``/``ends`` offsets + lemmas per segment).
- second baseline: ``spacy.blank(lang)`` alone, lemma = the lower-cased form (the lower bound of any spaCy pipeline).
Throughput is whitespace tokens of the corpus per CPU second of the child process (``time.process_time``: robust on
a shared machine; wall time is printed too), the same numerator for both pipelines; the CPU time of the
preprocessing step alone (without ingest) is also reported, and that of a second pass in the same process (caches
warm: the steady state of a long job or of tagging new segments). Peak RSS is the child's ``ru_maxrss``.
CPU and wall time are those of the first pass, from process start (imports and model loading included); peak RSS
covers both passes.

Run: ``.venv/bin/python bench/preprocess.py [--runs 3] [--min-tokens 1000000]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from _ud import SHARED, read_conllu, spacy_lookup_lemmas, ud_file

SOURCES = [
    ("nb", "nb", "dev"),
    ("nb", "nb", "test"),
    ("nn", "nn", "dev"),
    ("nn", "nn", "test"),
    ("da", "da", "dev"),
    ("da", "da", "test"),
    ("sv", "sv", "test"),
    ("nn", "lia", "train"),
    ("nn", "lia", "dev"),
    ("nn", "lia", "test"),
]
PER_FILE = 40


def sentences() -> Iterator[tuple[str, str]]:
    """(lang, sentence) over all sources, streamed."""
    for lang, name, split in SOURCES:
        for s in read_conllu(ud_file(name, split)):
            yield lang, s.text
    for path in sorted((SHARED / "data" / "lcc_sentiment_da").glob("*.csv")):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, skipinitialspace=True):
                yield "da", row["text"]


def write_corpus(folder: Path, min_tokens: int) -> tuple[int, int]:
    """Transcript files in ``folder`` until ``min_tokens`` whitespace tokens; returns (files, tokens)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = files = 0
    rnd = 0
    while tokens < min_tokens:
        buf: list[str] = []
        cur = None
        for lang, sent in sentences():
            if cur is not None and (lang != cur or len(buf) >= PER_FILE):
                files += 1
                (folder / f"{files:05d}_{cur}.txt").write_text(_turns(buf), encoding="utf-8")
                buf = []
            cur = lang
            buf.append(sent)
            tokens += len(sent.split())
            if tokens >= min_tokens:
                break
        if buf:
            files += 1
            (folder / f"{files:05d}_{cur}.txt").write_text(_turns(buf), encoding="utf-8")
        rnd += 1
    return files, tokens


def _turns(sents: list[str]) -> str:
    lines = []
    for i in range(0, len(sents), 4):  # a question, then an answer of three sentences
        lines.append(f"I: {sents[i]}")
        if sents[i + 1 : i + 4]:
            lines.append("R: " + " ".join(sents[i + 1 : i + 4]))
    return "\n\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------- child processes
def _two_passes(out: Path, t0: float, one_pass: Callable[[TextIO], tuple[float, int]]) -> dict:
    """Run ``one_pass(out_file) -> (timed CPU s, tokens)`` twice over the corpus: the second pass sees a vocabulary
    it has met (steady-state speed). Wall and process CPU time are those up to the end of the first pass."""
    res: dict = {}
    for key in ("pre", "warm"):
        with open(out, "w", encoding="utf-8") as fh:
            res[key], n_tok = one_pass(fh)
        if key == "pre":
            res["wall"] = time.perf_counter() - t0
            res["cpu"] = (
                time.process_time()
            )  # CPU seconds since the process started (imports, models, pass 1)
            res["tokens_out"] = n_tok
    return res


def run_ours(folder: Path, out: Path) -> dict:
    t0 = time.perf_counter()
    from nlp.ingest import read_path
    from nlp.model import json_line
    from nlp.normalise.preprocess import Preprocessor, preprocess_transcript

    pre = Preprocessor()

    def one_pass(fh: TextIO) -> tuple[float, int]:
        t_pre = 0.0
        n_tok = 0
        for path in sorted(folder.iterdir()):
            for t in read_path(path):
                tic = time.process_time()
                t2 = preprocess_transcript(t, preprocessor=pre)
                t_pre += time.process_time() - tic
                n_tok += sum(len(s.meta["preprocess"]["flags"]) for s in t2.segments)
                fh.write(json_line(t2.to_json()))
        return t_pre, n_tok

    return _two_passes(out, t0, one_pass)


def run_spacy(folder: Path, out: Path, *, lookup: bool = True) -> dict:
    t0 = time.perf_counter()
    import spacy

    from nlp.ingest import read_path
    from nlp.model import json_line

    nlps = {}
    for lang in ("nb", "da", "sv"):
        nlp = spacy.blank(lang)
        if lookup:  # its tables come from spacy-lookups-data (the dev extra); missing tables fail here (E955)
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        nlps[lang] = nlp

    def one_pass(fh: TextIO) -> tuple[float, int]:
        t_pre = 0.0
        n_tok = 0
        for path in sorted(folder.iterdir()):
            lang = path.stem.split("_")[-1]
            nlp = nlps["nb" if lang == "nn" else lang]
            for t in read_path(path):
                tic = time.process_time()
                segs = []
                texts = [t.text[s.start : s.end] for s in t.segments]
                for s, doc in zip(t.segments, nlp.pipe(texts)):
                    starts = [s.start + tok.idx for tok in doc]
                    ends = [start + len(tok) for start, tok in zip(starts, doc)]
                    lemmas = [tok.lemma_ or tok.lower_ for tok in doc]
                    n_tok += len(starts)
                    segs.append(
                        {
                            **s.to_json(),
                            "lang": lang,
                            "meta": {"preprocess": {"starts": starts, "ends": ends, "lemmas": lemmas}},
                        }
                    )
                rec = {**t.to_json(), "segments": segs}
                t_pre += time.process_time() - tic
                fh.write(json_line(rec))
        return t_pre, n_tok

    return _two_passes(out, t0, one_pass)


PIPELINES = {
    "spacy": ("spaCy blank + lookup", lambda f, o: run_spacy(f, o, lookup=True)),
    "spacy-blank": ("spaCy blank (no lemma)", lambda f, o: run_spacy(f, o, lookup=False)),
    "ours": ("klyngekoder", run_ours),
}


def child(kind: str, folder: str, out: str) -> None:
    try:
        os.sched_setaffinity(0, {0})
    except (AttributeError, OSError):
        pass
    res = PIPELINES[kind][1](Path(folder), Path(out))
    res["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def measure(kind: str, folder: Path, out: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(folder), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def lemma_accuracy() -> dict[str, tuple[float, float]]:
    """(spaCy blank + lookup lemmatiser, ours) lemma accuracy on the gold tokens of the UD test sets."""
    from nlp.normalise.tokens import lemmatize

    out = {}
    for name, lang in [("nb", "nb"), ("nn", "nn"), ("da", "da")]:
        forms, golds = [], []
        for s in read_conllu(ud_file(name, "test")):
            for f, lem, u in zip(s.forms, s.lemmas, s.upos):
                if u == "PUNCT" and lem.startswith("$"):
                    lem = lem[1:] or f
                forms.append(f)
                golds.append(lem.lower())
        ours = lemmatize(forms, lang)
        base = spacy_lookup_lemmas(forms, lang)
        out[name] = (
            sum(b == g for b, g in zip(base, golds)) / len(forms),
            sum(p.lower() == g for p, g in zip(ours, golds)) / len(forms),
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--min-tokens", type=int, default=1_000_000)
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "OUT"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    tmp = Path(tempfile.mkdtemp(prefix="nlp-bench-"))
    try:
        sizes = {"small": args.min_tokens // 4, "large": args.min_tokens}
        print(
            f"{'corpus':<6} {'pipeline':<22} {'files':>6} {'tokens':>9} {'wall s':>7} {'cpu s':>6} {'tok/s':>9} "
            f"{'prep s':>7} {'prep tok/s':>10} {'warm tok/s':>10} {'peak RSS MB':>11}"
        )
        results = {}
        for size, n in sizes.items():
            folder = tmp / size
            files, tokens = write_corpus(folder, n)
            # the pipelines take turns within each repetition, so a change in the machine's load hits all alike
            by_kind: dict[str, list[dict]] = {kind: [] for kind in PIPELINES}
            for _ in range(args.runs):
                for kind in PIPELINES:
                    by_kind[kind].append(measure(kind, folder, tmp / f"{size}_{kind}.jsonl"))
            for kind, (label, _) in PIPELINES.items():
                runs = by_kind[kind]
                wall = statistics.median(r["wall"] for r in runs)
                cpu = statistics.median(r["cpu"] for r in runs)
                prep = statistics.median(r["pre"] for r in runs)
                warm = statistics.median(r["warm"] for r in runs)
                rss = max(r["maxrss_mb"] for r in runs)
                results[(size, kind)] = (cpu, prep, warm)
                print(
                    f"{size:<6} {label:<22} {files:>6} {tokens:>9} {wall:>7.2f} {cpu:>6.2f} {tokens / cpu:>9,.0f} "
                    f"{prep:>7.2f} {tokens / prep:>10,.0f} {tokens / warm:>10,.0f} {rss:>11.0f}",
                    flush=True,
                )
            shutil.rmtree(folder)
        for size in sizes:
            for base in ("spacy", "spacy-blank"):
                (w_s, p_s, m_s), (w_o, p_o, m_o) = results[(size, base)], results[(size, "ours")]
                print(
                    f"speed-up {size} vs {PIPELINES[base][0]}: end-to-end {w_s / w_o:.2f}x, preprocessing alone "
                    f"{p_s / p_o:.2f}x, preprocessing on a second (warm) pass {m_s / m_o:.2f}x"
                )
        print("\nLemma accuracy, UD test (all tokens): spaCy blank + lookup lemmatiser vs ours")
        for name, (base, ours) in lemma_accuracy().items():
            print(f"  {name}: spaCy {base:.3f}  ours {ours:.3f}")
        print(
            f"\n* {args.runs} runs each, medians (CPU seconds of the child process); one core (sched_setaffinity); spaCy "
            f"{_version('spacy')}, simplemma {_version('simplemma')}."
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
