"""Distributed tagging on a real Dask LocalCluster: byte-for-byte the single-process output of ``tag_paths``.

Covers: own LocalCluster (``workers=2``) and an existing one (its ``scheduler_address``), large JSONL files cut into
chunks, small files grouped, whole-file formats, bad files (the error found in a late chunk drops the whole file,
with tag_paths' message), ids repeated across chunks, resume after a crash mid-line, CSV, an in-memory model with a
changed abstain threshold, the model loaded once per worker, the chunk reader against ``read_units``, and the clear
errors when dask is missing or the scheduler cannot be reached.
"""

import json
import sys

import pytest
from autocode_synth import synthetic_rows, synthetic_transcripts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.classify import load_coder, read_tagged, read_units, tag_paths
from nlp.classify.tag import not_content_counts
from nlp.distributed import INSTALL_HINT, iter_batches, model_loads, read_text_lines, tag_distributed
from nlp.errors import ConfigError
from nlp.model import write_jsonl

distributed = pytest.importorskip("distributed")  # the optional extra; installed in the dev environment

ROWS = synthetic_rows()
TEXTS = [r["text"] for r in ROWS] + [
    "Vi deler kunnskap med de andre, og det er en stor styrke.",
    "Konkurrentene er dessverre et problem.",
    "Været er fint i dag.",
    "Vi mødes til seminarer og konferencer ✓ – «godt».",
]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as c:
        yield c


def _lines(records, newline="\n"):
    return "".join(json.dumps(r, ensure_ascii=False) + newline for r in records)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A folder of every kind of input, in the order expand_inputs walks it."""
    d = tmp_path_factory.mktemp("inputs")
    n = len(TEXTS)
    (d / "a_big.jsonl").write_text(
        _lines({"id": f"big{i}", "text": TEXTS[(i * 7) % n], "lang": "nb"} for i in range(95)),
        encoding="utf-8",
    )
    (d / "b_crlf_noid.jsonl").write_text(
        "\n" + _lines(({"text": TEXTS[i], "speaker": "A", "start": 3 * i} for i in range(11)), "\r\n"),
        encoding="utf-8",
        newline="",
    )
    (d / "c_empty.jsonl").write_text("", encoding="utf-8")
    lines = _lines({"id": f"bad{i}", "text": TEXTS[i % n]} for i in range(30)).splitlines(keepends=True)
    lines[23] = '{"id": "bad23", "text": "cut off\n'
    (d / "d_bad_late.jsonl").write_text("".join(lines), encoding="utf-8")
    (d / "e_dup_across_chunks.jsonl").write_text(
        _lines({"id": f"x{i % 12}", "text": TEXTS[i % n]} for i in range(20)), encoding="utf-8"
    )
    for k in range(6):
        (d / f"f_small{k}.jsonl").write_text(
            _lines({"id": f"s{k}-{i}", "text": TEXTS[(k + i) % n]} for i in range(k + 1)), encoding="utf-8"
        )
    write_jsonl(d / "g_transcripts.jsonl", synthetic_transcripts(n_groups=2, per_group=4))
    (d / "h_interview.txt").write_text(
        "I: Hvordan deler dere kunnskap?\nA: Vi deler kunnskap med de andre, "
        "det er en stor styrke.\nI: Og konkurrentene?\nA: Konkurransen er hard, "
        "dessverre et problem.\n",
        encoding="utf-8",
    )
    (d / "i_not_json.jsonl").write_text("{not json\n", encoding="utf-8")
    (d / "j_not_content.jsonl").write_text(
        _lines(
            [
                {"id": "j1", "text": "Ja."},
                {"id": "j2", "text": "Tlf: 22 33 44 55, e-post: ola@firma.no"},
                {"id": "j3", "text": "Hva gjør dere sammen?", "kind": "question"},
            ]
        ),
        encoding="utf-8",
    )
    return d


def _same_summary(a, b):
    assert (a.files, a.tagged, a.skipped, a.errors) == (b.files, b.tagged, b.skipped, b.errors)
    assert a.not_content == b.not_content  # segments left uncoded as not interview content, per reason


def test_own_local_cluster_equals_single_process(tmp_path, model, model_dir, inputs):
    ref = tag_paths(model, [inputs], tmp_path / "ref.jsonl")
    assert ref.tagged > 100 and len(ref.errors) == 3  # bad late line, repeated id, not JSON
    assert ref.not_content == not_content_counts(read_tagged(tmp_path / "ref.jsonl", fmt="jsonl"))
    # interviewer turns: j3 and the two of h_interview.txt, listed with the reason they are left uncoded
    assert ref.not_content == {"interviewer turn": 3, "one- or two-word turn": 1, "contact details": 1}
    seen = []
    got = tag_distributed(
        model_dir,
        [inputs],
        tmp_path / "dist.jsonl",
        workers=2,
        batch_size=7,
        on_file=lambda path, n: seen.append((path, n)),
    )
    assert (tmp_path / "dist.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    _same_summary(got, ref)
    assert "d_bad_late.jsonl, line 24" in dict(got.errors)[str(inputs / "d_bad_late.jsonl")]
    assert "occurs twice" in dict(got.errors)[str(inputs / "e_dup_across_chunks.jsonl")]
    assert [p for p, _ in seen] == [str(p) for p in sorted(inputs.iterdir())]
    assert sum(n for _, n in seen) == ref.tagged


def test_scheduler_address_and_model_loaded_once_per_worker(tmp_path, model, model_dir, inputs, cluster):
    tag_paths(model, [inputs], tmp_path / "ref.jsonl")
    with distributed.Client(cluster) as client:
        before = client.run(model_loads)
        batches = sum(1 for _ in iter_batches(sorted(inputs.iterdir()), batch_size=3))
        got = tag_distributed(
            model_dir,
            [inputs],
            tmp_path / "dist.jsonl",
            scheduler=cluster.scheduler_address,
            batch_size=3,
            window=3,
        )
        loads = {w: n - before[w] for w, n in client.run(model_loads).items()}
    assert (tmp_path / "dist.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert got.tagged > 100
    assert batches > 20 and all(n <= 1 for n in loads.values()) and sum(loads.values()) >= 1, loads
    assert len(cluster.workers) == 2  # the existing cluster is left running


def test_resume_after_a_crash_mid_line(tmp_path, model, model_dir, inputs, cluster):
    files = sorted(inputs.iterdir())
    tag_paths(model, files, tmp_path / "ref.jsonl")
    ref_lines = (tmp_path / "ref.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    first = tag_distributed(model_dir, files[:1], out, scheduler=cluster.scheduler_address, batch_size=10)
    out.write_text(
        out.read_text(encoding="utf-8") + ref_lines[first.tagged][:25], encoding="utf-8"
    )  # a crash
    again = tag_distributed(model_dir, files, out, scheduler=cluster.scheduler_address, batch_size=10)
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert again.skipped == first.tagged and again.tagged == len(ref_lines) - first.tagged
    nothing = tag_distributed(model_dir, files, out, scheduler=cluster.scheduler_address, batch_size=10)
    assert nothing.tagged == 0 and out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


def test_csv_with_an_in_memory_model_and_changed_abstain(tmp_path, model_dir, inputs, cluster):
    m = load_coder(model_dir)
    m.min_confidence = 0.8  # not in the model folder: the model object itself must reach the workers
    (tmp_path / "new.jsonl").write_text(
        _lines({"id": f"n{i}", "text": t} for i, t in enumerate(TEXTS[-4:])), encoding="utf-8"
    )
    files = [inputs / "a_big.jsonl", tmp_path / "new.jsonl", inputs / "h_interview.txt"]
    tag_paths(m, files, tmp_path / "ref.csv", fmt="csv")
    tag_distributed(
        m, files, tmp_path / "dist.csv", fmt="csv", scheduler=cluster.scheduler_address, batch_size=9
    )
    assert (tmp_path / "dist.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert any(not r["codes"] for r in read_tagged(tmp_path / "dist.csv", fmt="csv"))  # abstained somewhere
    assert not list(tmp_path.glob(".*partial*"))


_record = st.fixed_dictionaries(
    {"text": st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)},
    optional={
        "id": st.text("abc", min_size=1, max_size=6),
        "source": st.sampled_from(["s1", "s2"]),
        "start": st.integers(0, 50),
        "speaker": st.sampled_from(["I", "A"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(
        st.tuples(st.one_of(_record, st.just(None)), st.sampled_from(["\n", "\r\n", "\r"])), max_size=14
    ),
    batch_size=st.integers(1, 5),
)
def test_chunk_reader_reads_like_read_units(tmp_path, records, batch_size):
    seen = set()
    for r, _ in records:  # ids unique within the file (repeats are the driver's business, tested above)
        if r is not None and "id" in r:
            if r["id"] in seen:
                del r["id"]
            else:
                seen.add(r["id"])
    path = tmp_path / "t.jsonl"
    body = "".join("  " + nl if r is None else json.dumps(r, ensure_ascii=False) + nl for r, nl in records)
    path.write_bytes(body.encode("utf-8"))
    pieces = [p for batch in iter_batches([path], batch_size=batch_size) for p in batch]
    assert all(p.data is not None for p in pieces) and pieces[-1].last
    got = [u for p in pieces for u in read_text_lines(p.path, p.data, first_line=p.first_line)]
    assert got == read_units(path)


def test_missing_dask_is_a_config_error_with_the_install_command(tmp_path, model_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match="klyngekoder\\[dask\\]"):
        tag_distributed(model_dir, [], tmp_path / "o.jsonl", workers=1)
    assert "klyngekoder[dask]" in INSTALL_HINT


def test_bad_cluster_options_are_config_errors(tmp_path, model_dir):
    with pytest.raises(ConfigError, match="tcp://HOST:PORT"):
        tag_distributed(model_dir, [], tmp_path / "o.jsonl", scheduler="localhost:8786")
    with pytest.raises(ConfigError, match="either"):
        tag_distributed(model_dir, [], tmp_path / "o.jsonl", scheduler="tcp://127.0.0.1:1", workers=2)
    with pytest.raises(ConfigError, match="at least 1"):
        tag_distributed(model_dir, [], tmp_path / "o.jsonl", workers=0)
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        tag_distributed(model_dir, [], tmp_path / "o.jsonl", scheduler="tcp://127.0.0.1:9", connect_timeout=1)


def test_cli_tag_on_a_cluster_equals_plain_tag(tmp_path, model_dir, inputs, cluster):
    from typer.testing import CliRunner

    from nlp.cli import app

    runner = CliRunner()
    files = [str(inputs / "a_big.jsonl"), str(inputs / "h_interview.txt"), str(inputs / "i_not_json.jsonl")]
    plain = runner.invoke(app, ["tag", str(model_dir), *files, "--out", str(tmp_path / "plain.jsonl")])
    assert plain.exit_code == 1, plain.output  # the bad file is skipped and listed: status 1, as ingest
    res = runner.invoke(
        app,
        [
            "tag",
            str(model_dir),
            *files,
            "--out",
            str(tmp_path / "dask.jsonl"),
            "--scheduler",
            cluster.scheduler_address,
            "--abstain",
            "0.6",
        ],
    )
    assert res.exit_code == 1, res.output
    res = runner.invoke(
        app,
        [
            "tag",
            str(model_dir),
            *files,
            "--out",
            str(tmp_path / "dask.jsonl"),
            "--scheduler",
            cluster.scheduler_address,
            "--restart",
        ],
    )
    assert res.exit_code == 1, res.output
    assert res.output == plain.output.replace("plain.jsonl", "dask.jsonl")
    assert "tagged 99 segments from 2 files" in res.output and "1 files skipped" in res.output
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
    both = runner.invoke(
        app,
        [
            "tag",
            str(model_dir),
            files[0],
            "--out",
            str(tmp_path / "x.jsonl"),
            "--scheduler",
            cluster.scheduler_address,
            "--workers",
            "2",
        ],
    )
    assert isinstance(both.exception, ConfigError) and "either" in str(both.exception)


def test_preprocessing_on_a_cluster_equals_single_process(cluster):
    from nlp.corpora import load
    from nlp.distributed import preprocess_distributed
    from nlp.normalise.preprocess import PreprocessStats, preprocess_transcripts

    transcripts = list(synthetic_transcripts())[:7] + list(load("klynger").transcripts)[-1:]
    local_stats, dist_stats = PreprocessStats(), PreprocessStats()
    local = [t.to_json() for t in preprocess_transcripts(transcripts, stats=local_stats)]
    remote = [
        t.to_json()
        for t in preprocess_distributed(
            iter(transcripts), scheduler=cluster.scheduler_address, batch_size=3, window=1, stats=dist_stats
        )
    ]
    assert json.dumps(remote, ensure_ascii=False) == json.dumps(local, ensure_ascii=False)
    assert dist_stats.rows() == local_stats.rows() and sum(r["tokens"] for r in local_stats.rows()) > 0
    assert len(remote) == len(transcripts)
    assert all("preprocess" in seg["meta"] for rec in remote for seg in rec["segments"])
