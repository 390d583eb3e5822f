"""Shared fixtures: the guard on the repository's out/, one small auto-coder trained on the synthetic nb/da rows."""

import pytest
from autocode_synth import synthetic_rows
from out_guard import REPO_OUT, changes, snapshot

from nlp.classify import AutoCoder, load_coder, save_coder


@pytest.fixture(scope="session", autouse=True)
def repository_out_is_untouched():
    """Fails the run if any test wrote into the repository's out/ (tests write into tmp_path)."""
    before = snapshot(REPO_OUT)
    yield
    changed = changes(before, snapshot(REPO_OUT))
    assert not changed, (
        f"tests wrote into {REPO_OUT}: {', '.join(changed[:10])}; write into tmp_path instead."
    )


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A saved model folder (word analyzer "surface": fast and independent of the lemma tables)."""
    rows = synthetic_rows()
    m = AutoCoder.from_params(word_analyzer="surface", inner_folds=2).fit(
        [r["text"] for r in rows],
        [r["codes"] for r in rows],
        [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows],
    )
    path = tmp_path_factory.mktemp("models") / "synth"
    save_coder(m, path)
    return path


@pytest.fixture(scope="session")
def model(model_dir):
    return load_coder(model_dir)
