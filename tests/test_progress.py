"""Progress of the long steps: the library reports (done, total) through a callback; the CLI draws a bar on stderr
only on a terminal, so piped output stays clean."""

import io
import re

from autocode_synth import synthetic_transcripts, synthetic_units
from typer.testing import CliRunner

from nlp.classify import train_from_units
from nlp.cli import app
from nlp.cli.progress import TerminalProgress
from nlp.model import write_jsonl
from nlp.topics import NmfTopics, sweep_topics

BAR = re.compile(r"\r|\d+/\d+ \[|it/s|fit/s|\|█")


def _simple(analysis):
    return [w for w in analysis.surface_words() if len(w) > 3]


def test_training_reports_every_fit_up_to_the_total():
    calls = []
    train_from_units(
        synthetic_units(n_groups=6, per_group=6),
        coder="coder1",
        n_splits=3,
        n_repeats=2,
        curve=True,
        word_analyzer="surface",
        inner_folds=0,
        progress=lambda d, t: calls.append((d, t)),
    )
    dones = [d for d, _ in calls]
    totals = {t for _, t in calls}
    assert len(totals) == 1 and dones[-1] == totals.pop()
    assert (
        dones == sorted(dones) and len(dones) >= 2 * 3 + 1
    )  # every fold of both repeats, then the final fit


def test_topic_sweep_reports_every_model():
    docs = ["torsk båt havet fisker garn"] * 4 + ["data skyen programvare digital lagrer"] * 4
    calls = []
    sweep_topics(
        docs,
        estimator=NmfTopics(analyzer=_simple, min_df=1, max_df=1.0),
        k_values=[2, 3],
        seeds=[0, 1],
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_terminal_progress_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty = Terminal()
    with TerminalProgress("folds", stream=tty) as bar:
        for i in range(1, 6):
            bar(i, 5)
    assert "folds" in tty.getvalue() and "/5 [" in tty.getvalue()  # drawn (updates are throttled by tqdm)
    piped = io.StringIO()
    with TerminalProgress("folds", stream=piped) as bar:
        for i in range(1, 6):
            bar(i, 5)
    assert piped.getvalue() == "" and bar.calls == 5


def test_cli_train_and_tag_output_stays_clean_when_not_a_terminal(tmp_path):
    runner = CliRunner()
    coded = tmp_path / "coded.jsonl"
    write_jsonl(coded, synthetic_transcripts(n_groups=6, per_group=6))
    res = runner.invoke(
        app,
        [
            "train",
            str(coded),
            "--coder",
            "coder1",
            "--out",
            str(tmp_path / "m"),
            "--folds",
            "2",
            "--repeats",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    assert not BAR.search(res.output), res.output
    files = []
    for i in range(3):
        files.append(tmp_path / f"t{i}.jsonl")
        files[-1].write_text('{"id": "a", "text": "vi deler kunnskap"}\n', encoding="utf-8")
    res = runner.invoke(
        app, ["tag", str(tmp_path / "m"), *map(str, files), "--out", str(tmp_path / "o.jsonl")]
    )
    assert res.exit_code == 0 and not BAR.search(res.output), res.output


def test_training_without_validation_reports_the_one_fit():
    calls = []
    train_from_units(
        synthetic_units(n_groups=4, per_group=4),
        coder="coder1",
        n_splits=0,
        curve=True,
        word_analyzer="surface",
        inner_folds=0,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(1, 1)]


class HashEncoder:
    """A stand-in sentence encoder: a vector from the text's hash (the real one may not be installed)."""

    dim = 8

    def __init__(self):
        self.identity = {"backend": "hash", "version": "1", "dim": 8}
        self.key = "hash"
        self.embedded = 0

    def encode(self, texts):
        import hashlib

        import numpy as np

        self.embedded += len(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], dtype=np.uint8) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), 8) + 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _hash_encoder_model(tmp_path):
    """An auto-coder fitted on the synthetic rows whose polarity reads the embeddings of the (patched-in) encoder
    "hash", cached in tmp_path/emb."""
    from autocode_synth import synthetic_rows

    from nlp.classify import AutoCoder

    rows = synthetic_rows()
    return AutoCoder.from_params(
        word_analyzer="surface", inner_folds=2, encoder="hash", encoder_cache=str(tmp_path / "emb")
    ).fit(
        [r["text"] for r in rows],
        [set(r["codes"]) for r in rows],
        [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows],
    )


def test_training_with_an_encoder_embeds_every_text_once_first_then_names_each_stage(tmp_path, monkeypatch):
    import nlp.classify.models

    enc = HashEncoder()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: enc)
    units = synthetic_units(n_groups=6, per_group=6)
    events = []
    train_from_units(
        units,
        coder="coder1",
        n_splits=3,
        n_repeats=1,
        curve=True,
        word_analyzer="surface",
        inner_folds=0,
        encoder="hash",
        encoder_cache=str(tmp_path / "emb"),
        progress=lambda d, t: events.append(("progress", d, t)),
        stage=lambda name, unit: events.append(("stage", name, unit)),
    )
    stages = [e[1:] for e in events if e[0] == "stage"]
    assert stages == [
        ("embedding segments (sentence encoder)", "segment"),
        ("cross-validation (1 x 3 folds)", "fit"),
        ("learning curve (1 sizes x 3 folds)", "fit"),
        ("final fit", "fit"),
    ]
    distinct = len({u.text for u in units})
    first_cv = events.index(("stage", "cross-validation (1 x 3 folds)", "fit"))
    embedding = [e for e in events[:first_cv] if e[0] == "progress"]
    assert embedding[-1] == ("progress", distinct, distinct)  # every distinct text, counted while embedded
    assert enc.embedded == distinct  # ... and only then: the folds and the final fit read the cache
    fits = [e[1:] for e in events[first_cv:] if e[0] == "progress"]
    assert fits == [(i, 7) for i in range(1, 8)]  # 3 folds, 1 curve size x 3 folds, the final fit


def test_cli_shows_stages_and_embedding_progress_on_stderr_and_keeps_stdout_clean(tmp_path, monkeypatch):
    import nlp.classify.models
    import nlp.cli.progress

    enc = HashEncoder()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: enc)
    monkeypatch.setattr(nlp.cli.progress, "_is_terminal", lambda stream: True)  # as on a terminal
    runner = CliRunner()
    coded = tmp_path / "coded.jsonl"
    write_jsonl(coded, synthetic_transcripts(n_groups=6, per_group=6))
    args = ["train", str(coded), "--coder", "coder1", "--out", str(tmp_path / "m"), "--folds", "2"]
    res = runner.invoke(app, [*args, "--repeats", "1", "--no-curve", "--encoder", "hash"])
    assert res.exit_code == 0, res.output
    err = res.stderr
    for stage in ("embedding segments (sentence encoder)", "cross-validation (1 x 2 folds)", "final fit"):
        assert f"- {stage}\n" in err, err
    assert re.search(r"embedding segments \(sentence encoder\):[^\n\r]*\d+/\d+ \[[^\n\r]*segment", err), err
    assert re.search(r"cross-validation \(1 x 2 folds\):[^\n\r]*\d/\d+ \[[^\n\r]*fit", err), err
    assert not BAR.search(res.stdout) and "- cross-validation" not in res.stdout  # stdout: the figures only
    assert "features:" in res.stdout
    # tagging new text embeds it with its own bar beside the files' (a model whose polarity uses the embeddings)
    from nlp.classify import save_coder

    model = _hash_encoder_model(tmp_path)
    assert model.polarity.encoder_used_  # without the inner-CV choice the embeddings are used
    save_coder(model, tmp_path / "m2")
    enc.embedded = 0
    new = tmp_path / "new.jsonl"
    new.write_text(
        "".join(f'{{"id": "n{i}", "text": "helt ny tekst nummer {i} om samarbeid"}}\n' for i in range(40)),
        encoding="utf-8",
    )
    res = runner.invoke(app, ["tag", str(tmp_path / "m2"), str(new), "--out", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 0, res.output
    assert enc.embedded == 40  # the new texts only, once
    assert re.search(r"embedding new segments:[^\n\r]*\d+/40 \[[^\n\r]*segment", res.stderr), res.stderr
    assert re.search(r"tagging:[^\n\r]*\d/1 \[[^\n\r]*file", res.stderr), res.stderr
    assert not BAR.search(res.stdout) and res.stdout.startswith("tagged 40 segments"), res.stdout


def test_a_model_with_a_progress_hook_and_a_loaded_encoder_pickles_and_reloads_it(tmp_path, monkeypatch):
    import pickle

    import nlp.classify.models

    enc = HashEncoder()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: enc)
    model = _hash_encoder_model(tmp_path)
    seen = []
    model.polarity.embed_progress = lambda d, t: seen.append((d, t))  # a lambda: not picklable itself
    texts = ["nye tekster om samarbeid", "konkurranse igjen"]
    before = model.predict(texts)
    assert seen == [(2, 2)]
    copy = pickle.loads(pickle.dumps(model))  # e.g. sent to a Dask worker
    assert copy.polarity.embed_progress is None and getattr(copy.polarity, "encoder_", None) is None
    assert copy.predict(texts) == before  # the encoder is loaded (and checked) again on first use
    assert copy.polarity.encoder_ is enc
