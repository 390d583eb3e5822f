"""Fixtures shared by the tagging tests: one small auto-coder trained on the synthetic nb/da rows."""

import pytest
from autocode_synth import synthetic_rows

from nlp.classify import AutoCoder, load_coder, save_coder


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A saved model folder (word analyzer "surface": fast and independent of the lemma tables)."""
    rows = synthetic_rows()
    m = AutoCoder.from_params(word_analyzer="surface", inner_folds=2).fit(
        [r["text"] for r in rows], [r["codes"] for r in rows], [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows])
    path = tmp_path_factory.mktemp("models") / "synth"
    save_coder(m, path)
    return path


@pytest.fixture(scope="session")
def model(model_dir):
    return load_coder(model_dir)
