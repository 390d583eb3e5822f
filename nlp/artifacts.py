"""Save and load models without pickle: loading a model never runs code from the file.

A model is a folder::

    models/NAME/
        meta.json            format version, kind, library versions, preprocessing settings, codebook,
                             training-data sha256, cross-validation scores, and the sha256 + size of every file
        params.json          everything that is not a number array (vocabularies, class names, settings)
        weights.safetensors  the number arrays (coefficients, idf weights, thresholds), safetensors format

Every file listed in ``meta.json`` is checked against its sha256 when loading, so a truncated, edited or missing file
gives a :class:`~nlp.errors.ModelFileError` naming the file and the fix, never a confusing traceback or a silently
different model. (The check detects accidents and casual edits; whoever can rewrite ``meta.json`` too can change the
model, but still cannot make loading run code: JSON and safetensors hold data only.)

The folder is written atomically: it is built beside the target and renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelFileError

__all__ = [
    "FORMAT_VERSION",
    "ModelFiles",
    "library_versions",
    "load_model_files",
    "save_model_files",
    "sha256_file",
    "sha256_texts",
]

#: Bumped when the folder layout changes incompatibly; loading a newer format raises ModelFileError.
FORMAT_VERSION = 1
_WEIGHTS = "weights.safetensors"
_PARAMS = "params.json"
_META = "meta.json"


@dataclass(frozen=True)
class ModelFiles:
    """The verified contents of a model folder."""

    path: Path
    kind: str
    arrays: Mapping[str, np.ndarray]
    params: Mapping[str, Any]
    meta: Mapping[str, Any]


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_texts(records: Iterable[str]) -> str:
    """Order-sensitive sha256 of a sequence of strings (e.g. one JSON line per training unit).

    Examples
    --------
    >>> sha256_texts(["a", "b"]) != sha256_texts(["b", "a"])
    True
    """
    h = hashlib.sha256()
    for r in records:
        data = r.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries whose behaviour a saved model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("klyngekoder", "numpy", "scipy", "scikit-learn", "safetensors", "simplemma", "spacy"):
        with contextlib.suppress(PackageNotFoundError):  # a missing optional library is simply not recorded
            out[name] = version(name)
    return out


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def save_model_files(
    path: str | Path,
    *,
    kind: str,
    arrays: Mapping[str, np.ndarray],
    params: Mapping[str, Any],
    meta: Mapping[str, Any] | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a model folder atomically (no pickle anywhere).

    Parameters
    ----------
    path
        Target folder; an existing model there is replaced only once the new one is complete.
    kind
        Model kind (e.g. ``"autocoder"``), checked on load.
    arrays
        Named numeric arrays (any shape; numeric dtypes only), stored in ``weights.safetensors``.
    params
        JSON-serialisable settings and vocabularies, stored in ``params.json``.
    meta
        JSON-serialisable provenance (preprocessing, codebook, data hash, scores); versions and hashes are added.
    extra_files
        Further files (name -> bytes), e.g. ``codebook.yaml`` for people to read; hashed like the others.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> _ = save_model_files(d + "/m", kind="demo", arrays={"w": np.arange(3.0)}, params={"vocab": ["a"]})
    >>> load_model_files(d + "/m", kind="demo").arrays["w"].tolist()
    [0.0, 1.0, 2.0]
    """
    from safetensors.numpy import save as st_save

    path = Path(path)
    for name, arr in arrays.items():
        if not isinstance(arr, np.ndarray) or arr.dtype == object:
            raise TypeError(f"array {name!r} must be a numeric numpy array, not {type(arr).__name__}")
    files: dict[str, bytes] = {
        _WEIGHTS: st_save({k: np.ascontiguousarray(v) for k, v in sorted(arrays.items())}),
        _PARAMS: _json_bytes(dict(params)),
    }
    for name, data in (extra_files or {}).items():
        if name in files or name == _META or "/" in name or name.startswith("."):
            raise ValueError(f"extra file name {name!r} is reserved or not a plain file name")
        files[name] = data
    full_meta = dict(meta or {})
    full_meta.update(
        {
            "format": "klyngekoder-model",
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "versions": library_versions(),
            "files": {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                for name, data in sorted(files.items())
            },
        }
    )
    files[_META] = _json_bytes(full_meta)

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        old = None
        if path.exists():
            if not (path / _META).is_file() and any(path.iterdir()):
                raise ModelFileError(
                    "the output folder exists and is not a model folder; refusing to replace it.",
                    path=path,
                    fix="choose a new --out folder or empty this one.",
                )
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def load_model_files(path: str | Path, *, kind: str | None = None) -> ModelFiles:
    """Read and verify a model folder written by :func:`save_model_files`.

    Raises
    ------
    ModelFileError
        If the folder or a file is missing, a file's size or sha256 differs from ``meta.json`` (truncated or
        edited), the format is newer than this version understands, or the kind is not ``kind``.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    path = Path(path)
    if not path.is_dir():
        raise ModelFileError(
            "no model folder here.",
            path=path,
            fix="pass the folder written by `nlp train --out` (it holds meta.json).",
        )
    meta_path = path / _META
    if not meta_path.is_file():
        raise ModelFileError(
            "meta.json is missing, so this is not a complete model folder.",
            path=path,
            fix="train the model again with `nlp train`.",
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(
            f"meta.json is not valid JSON ({exc}); the file is truncated or was edited.",
            path=meta_path,
            fix="train the model again with `nlp train`.",
        ) from exc
    if (
        not isinstance(meta, dict)
        or meta.get("format") != "klyngekoder-model"
        or not isinstance(meta.get("files"), dict)
    ):
        raise ModelFileError(
            "meta.json does not describe a klyngekoder model.",
            path=meta_path,
            fix="pass a folder written by `nlp train`.",
        )
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFileError(
            f"model format {meta.get('format_version')} is newer than this klyngekoder "
            f"understands ({FORMAT_VERSION}).",
            path=path,
            fix="upgrade klyngekoder.",
        )
    if kind is not None and meta.get("kind") != kind:
        raise ModelFileError(
            f"this is a {meta.get('kind')!r} model, not a {kind!r} model.",
            path=path,
            fix=f"pass a {kind} model folder.",
        )
    blobs: dict[str, bytes] = {}
    for name, info in sorted(meta["files"].items()):
        fpath = path / name
        if "/" in name or name.startswith(".") or not fpath.is_file():
            raise ModelFileError(
                f"model file {name} is missing.",
                path=path,
                fix="copy the whole model folder, or train the model again.",
            )
        data = fpath.read_bytes()
        if len(data) != info.get("bytes") or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            what = "truncated" if len(data) < int(info.get("bytes", 0)) else "changed since it was saved"
            raise ModelFileError(
                f"model file {name} is {what} (sha256 does not match meta.json).",
                path=fpath,
                fix="copy the model folder again from its source, or train the model again.",
            )
        blobs[name] = data
    for required in (_WEIGHTS, _PARAMS):
        if required not in blobs:
            raise ModelFileError(
                f"meta.json does not list {required}.",
                path=meta_path,
                fix="train the model again with `nlp train`.",
            )
    try:
        arrays = st_load(blobs[_WEIGHTS])
    except (SafetensorError, ValueError) as exc:
        raise ModelFileError(
            f"weights cannot be read ({exc}).",
            path=path / _WEIGHTS,
            fix="train the model again with `nlp train`.",
        ) from exc
    try:
        params = json.loads(blobs[_PARAMS].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(
            f"params.json is not valid JSON ({exc}).",
            path=path / _PARAMS,
            fix="train the model again with `nlp train`.",
        ) from exc
    return ModelFiles(path=path, kind=str(meta.get("kind")), arrays=arrays, params=params, meta=meta)
