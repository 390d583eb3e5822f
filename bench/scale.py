"""Scale benchmark: bulk tagging with Dask distributed over a synthetic archive of >= 1M segments.

Run:  .venv/bin/python bench/scale.py [--segments 250000,1000000] [--runs 3] [--big-runs 1] [--workers 1,2]
                                      [--batch-size 5000] [--json out/bench_scale.json]

Corpus: sentences from ../shared/data (UD CoNLL-U bokmål, nynorsk, Danish and the spoken LIA treebank, the LCC
Danish sentences, NoReC_sentence texts), shuffled with a fixed seed; each segment joins 1-3 consecutive sentences of
one language (the pools are reshuffled on every pass, so segments rarely repeat). Written, streaming, as JSONL files
of 25,000 ``{"id", "text", "lang"}`` lines in a temporary folder; the smaller corpora are prefixes of the largest.
Model: the default auto-coder trained on the bundled corpus (klynger, coder1), saved as a model folder.

Each measurement runs in a fresh process. Baseline: ``tag_paths`` in one process (BLAS limited to one thread, as
the Dask workers are), on the smallest corpus. Dask: a LocalCluster of N worker processes with one thread each,
started before the clock runs (start-up reported apart); the clock covers ``tag_distributed`` end to end (model
shipped and loaded on the workers, files read, tagged, written). Peak memory is each process' VmHWM
(/proc/self/status): per worker (the largest) and of the client. Every output is hashed: all runs of one corpus must
give the same bytes as the baseline. Throughput figures are medians of --runs (--big-runs for the largest corpus).
A second baseline shows what the machine itself gives: N plain ``tag_paths`` processes side by side on disjoint
halves of the files (no Dask); the 1-minute load average before each measurement is printed, since other jobs on
the machine change every figure.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
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
sys.path.insert(0, str(ROOT / "bench"))

PER_FILE = 25_000
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


# -- the corpus -------------------------------------------------------------------------------------------------
def sentence_pools() -> dict[str, list[str]]:
    """Sentences per language from ../shared/data, in file order."""
    from _ud import SHARED, read_conllu, ud_file

    pools: dict[str, list[str]] = {"nb": [], "nn": [], "da": []}
    for name, lang in (("nb", "nb"), ("nn", "nn"), ("da", "da"), ("lia", "nn")):
        for split in ("train", "dev", "test"):
            path = ud_file(name, split)
            if path.is_file():
                pools[lang].extend(s.text for s in read_conllu(path) if s.text)
    norec = SHARED / "data" / "norec_sentence" / "3class"
    for split in ("train", "dev", "test"):
        path = norec / f"{split}.json"
        if path.is_file():
            pools["nb"].extend(r["text"] for r in json.loads(path.read_text(encoding="utf-8")) if r["text"])
    for path in sorted((SHARED / "data" / "lcc_sentiment_da").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            pools["da"].extend(row[2] for row in reader if len(row) > 2 and row[2])
    if not any(pools.values()):
        raise SystemExit(f"no sentences found under {SHARED / 'data'}; set NLP_SHARED to the shared folder.")
    return pools


def write_corpus(folder: Path, n: int, *, seed: int = 0) -> list[Path]:
    """``n`` segments as JSONL files of PER_FILE lines, written line by line; returns the files in order."""
    pools = sentence_pools()
    rng = random.Random(seed)
    langs = sorted(pools)
    weights = [len(pools[k]) for k in langs]
    order = {k: list(range(len(pools[k]))) for k in langs}
    pos = dict.fromkeys(langs, len(max(pools.values(), key=len)))  # forces a shuffle on first use
    files: list[Path] = []
    fh = None
    for i in range(n):
        if i % PER_FILE == 0:
            if fh:
                fh.close()
            files.append(folder / f"archive-{len(files):04d}.jsonl")
            fh = files[-1].open("w", encoding="utf-8")
        lang = rng.choices(langs, weights)[0]
        k = rng.choice((1, 1, 2, 2, 3))
        if pos[lang] + k > len(order[lang]):
            rng.shuffle(order[lang])
            pos[lang] = 0
        text = " ".join(pools[lang][j] for j in order[lang][pos[lang] : pos[lang] + k])
        pos[lang] += k
        fh.write(json.dumps({"id": f"s{i:07d}", "text": text, "lang": lang}, ensure_ascii=False) + "\n")
    if fh:
        fh.close()
    return files


def train_model(path: Path) -> dict:
    from nlp.classify import save_coder, train_from_units
    from nlp.corpora import load

    corpus = load("klynger")
    t0 = time.perf_counter()
    model, meta = train_from_units(
        list(corpus.units()), coder="coder1", codebook=corpus.codebook, n_splits=0, curve=False
    )
    save_coder(model, path, codebook=corpus.codebook, meta=meta)
    return {
        "train_s": time.perf_counter() - t0,
        "codes": len(model.classes_),
        "units": meta["training"]["units"],
        "analyzer": model.concepts.word_analyzer,
    }


# -- one measurement (child process) ----------------------------------------------------------------------------
def vm_hwm_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def child(spec: dict) -> dict:
    files, out, model = [Path(f) for f in spec["files"]], Path(spec["out"]), Path(spec["model"])
    res: dict = {}
    if spec["mode"] == "single":
        from nlp.classify import load_coder, tag_paths

        t0 = time.perf_counter()
        summary = tag_paths(load_coder(model), files, out, resume=False)
        res["seconds"] = time.perf_counter() - t0
        res["worker_peak_mb"] = [vm_hwm_mb()]
    else:
        import logging

        from distributed import Client, LocalCluster

        from nlp.distributed import tag_distributed

        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=spec["workers"],
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            res["startup_s"] = time.perf_counter() - t0
            cpu0 = os.times()
            t0 = time.perf_counter()
            summary = tag_distributed(
                model,
                files,
                out,
                scheduler=cluster.scheduler_address,
                resume=False,
                batch_size=spec["batch_size"],
            )
            res["seconds"] = time.perf_counter() - t0
            cpu1 = os.times()
            res["client_cpu_s"] = cpu1.user + cpu1.system - cpu0.user - cpu0.system
            res["worker_peak_mb"] = sorted(client.run(vm_hwm_mb).values())
    res["client_peak_mb"] = vm_hwm_mb()
    res["tagged"] = summary.tagged
    res["errors"] = len(summary.errors)
    res["sha256"] = sha256_file(out)
    res["out_mb"] = out.stat().st_size / 2**20
    out.unlink()
    return res


def _start(spec: dict) -> subprocess.Popen:
    env = {**os.environ, **ONE_THREAD, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(proc: subprocess.Popen, spec: dict) -> dict:
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"measurement {spec['mode']} failed:\n{stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def measure(spec: dict) -> dict:
    """One configuration in a fresh process; ``ceiling`` runs ``workers`` plain processes side by side instead."""
    load = os.getloadavg()[0]
    if spec["mode"] != "ceiling":
        res = _finish(_start(spec), spec)
    else:  # the machine's own limit: N independent tag_paths processes on disjoint files, no Dask
        n = spec["workers"]
        parts = [
            {**spec, "mode": "single", "files": spec["files"][i::n], "out": f"{spec['out']}.{i}"}
            for i in range(n)
        ]
        t0 = time.perf_counter()
        procs = [_start(p) for p in parts]
        outs = [_finish(p, s) for p, s in zip(procs, parts)]
        res = {
            "seconds": time.perf_counter() - t0,
            "tagged": sum(o["tagged"] for o in outs),
            "worker_peak_mb": [max(o["worker_peak_mb"]) for o in outs],
            "client_peak_mb": float("nan"),
            "errors": sum(o["errors"] for o in outs),
            "sha256": None,
        }
    res["load_before"] = load
    return res


# -- main -------------------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--segments", default="250000,1000000", help="corpus sizes, comma-separated (largest >= 1M)"
    )
    ap.add_argument("--workers", default="1,2", help="Dask worker counts, comma-separated")
    ap.add_argument(
        "--runs", type=int, default=3, help="runs per configuration (median) on the smaller corpora"
    )
    ap.add_argument("--big-runs", type=int, default=1, help="runs per configuration on the largest corpus")
    ap.add_argument("--batch-size", type=int, default=5000, help="lines per task")
    ap.add_argument("--baseline-sizes", default="smallest", help="'smallest', 'all' or 'none'")
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the corpus (default: a temporary one)")
    ap.add_argument("--json", type=Path, default=ROOT / "out" / "bench_scale.json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    sizes = sorted(int(s) for s in args.segments.split(","))
    workers = [int(w) for w in args.workers.split(",")]
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="klynge-scale-", dir=args.tmp) as tmp:
        tmp = Path(tmp)
        info = train_model(tmp / "model")
        print(
            f"model: default auto-coder ({info['analyzer']} words + char n-grams) trained on klynger coder1 "
            f"({info['units']} units, {info['codes']} codes) "
            f"in {info['train_s']:.1f} s",
            file=sys.stderr,
        )
        t0 = time.perf_counter()
        (tmp / "corpus").mkdir()
        all_files = write_corpus(tmp / "corpus", sizes[-1])
        corpus_mb = sum(f.stat().st_size for f in all_files) / 2**20
        print(
            f"corpus: {sizes[-1]:,} segments in {len(all_files)} files, {corpus_mb:.0f} MB, written in "
            f"{time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )

        rows = []
        for size in sizes:
            files = all_files[: -(-size // PER_FILE)]
            size = min(len(files) * PER_FILE, sizes[-1])
            runs = args.big_runs if size == sizes[-1] and len(sizes) > 1 else args.runs
            configs = [("dask", w) for w in workers]
            if args.baseline_sizes == "all" or (args.baseline_sizes == "smallest" and size == sizes[0]):
                configs[:0] = [("single", 1)] + [("ceiling", w) for w in workers if w > 1 and len(files) >= w]
            for mode, w in configs:
                results = []
                for r in range(runs):
                    spec = {
                        "mode": mode,
                        "workers": w,
                        "files": [str(f) for f in files],
                        "model": str(tmp / "model"),
                        "out": str(tmp / "out.jsonl"),
                        "batch_size": args.batch_size,
                    }
                    res = measure(spec)
                    results.append(res)
                    print(
                        f"  {size:>9,} {mode:<6} w={w} run {r + 1}/{runs}: {res['tagged'] / res['seconds']:8.0f} "
                        f"seg/s, worker peak {max(res['worker_peak_mb']):.0f} MB, client peak "
                        f"{res['client_peak_mb']:.0f} MB",
                        file=sys.stderr,
                    )
                rows.append({"segments": size, "mode": mode, "workers": w, "runs": results})

    base = {
        r["segments"]: statistics.median(x["tagged"] / x["seconds"] for x in r["runs"])
        for r in rows
        if r["mode"] == "single"
    }
    base_rate = base.get(rows[0]["segments"]) if rows else None
    hashes: dict[int, set[str]] = {}
    for r in rows:
        hashes.setdefault(r["segments"], set()).update(x["sha256"] for x in r["runs"] if x["sha256"])
    print(
        f"\nTagging a synthetic archive ({', '.join(f'{s:,}' for s in sizes)} segments) with the default auto-coder "
        f"(word analyzer {info['analyzer']}); {os.cpu_count()} cores; batch {args.batch_size} lines.\n"
    )
    print(
        "| segments | configuration | runs | segments/s (median) | min-max | vs 1 process | wall s | "
        "cluster start s | peak RSS per worker MB | client peak MB | load avg before |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        rates = [x["tagged"] / x["seconds"] for x in r["runs"]]
        rate = statistics.median(rates)
        label = {
            "single": "tag_paths, 1 process (baseline)",
            "ceiling": f"{r['workers']} plain tag_paths processes side by side, no Dask (machine ceiling)",
        }.get(r["mode"], f"Dask LocalCluster, {r['workers']} worker{'s' if r['workers'] > 1 else ''}")
        rel = f"{rate / base_rate:.2f}x" if base_rate else "-"
        start = statistics.median(x.get("startup_s", 0) for x in r["runs"]) if r["mode"] == "dask" else None
        print(
            f"| {r['segments']:,} | {label} | {len(rates)} | {rate:,.0f} | {min(rates):,.0f}-{max(rates):,.0f} | "
            f"{rel} | {statistics.median(x['seconds'] for x in r['runs']):.1f} | "
            f"{'-' if start is None else f'{start:.1f}'} | "
            f"{statistics.median(max(x['worker_peak_mb']) for x in r['runs']):.0f} | "
            f"{'-' if r['mode'] == 'ceiling' else format(statistics.median(x['client_peak_mb'] for x in r['runs']), '.0f')} | "
            f"{statistics.median(x['load_before'] for x in r['runs']):.1f} |"
        )
    same = all(len(h) == 1 for h in hashes.values())
    print(
        f"\nOutputs byte-identical across all configurations and runs of each corpus size: {'yes' if same else 'NO'}"
        f" ({'; '.join(f'{s:,}: {next(iter(h))[:12]}' for s, h in hashes.items() if len(h) == 1)})"
    )
    print(f"Total bench time {time.perf_counter() - t_all:.0f} s.")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"sizes": sizes, "rows": rows, "model": info, "identical": same}, indent=1),
        encoding="utf-8",
    )
    if not same:
        raise SystemExit("outputs differ between configurations")


if __name__ == "__main__":
    main()
