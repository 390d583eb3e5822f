"""Bulk tagging on a Dask cluster: the same output as :func:`nlp.classify.tag_paths`, byte for byte.

:func:`tag_distributed` connects to a running cluster (``scheduler="tcp://HOST:PORT"``) or starts a
``LocalCluster`` of ``workers`` processes (one thread each) on this machine. The inputs are cut into batches of
units: large JSONL files of ``{"id", "text", "lang"}`` lines into chunks of whole lines (sent to the workers as
bytes, so those need no shared file system), every other file whole (read by the worker through
:func:`nlp.classify.read_units`, so it must see the same path). The model travels once to every worker in a worker
plugin and is loaded there once, keyed by the sha256 of its files. A bounded window of batches is in flight; results
are written in input order through :func:`nlp.model.json_line` as they arrive, so neither the archive nor the
output is ever held in memory. Resuming and the per-file work are :func:`nlp.classify.tag`'s own
(:func:`~nlp.classify.tag.resume_progress`, :func:`~nlp.classify.tag.tag_file`, :func:`~nlp.classify.tag.untagged`):
this module only maps them over the cluster and writes the results in input order.

Dask is an optional extra: ``pip install "klyngekoder[dask]"``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .classify.store import load_coder, save_coder
from .classify.tag import (
    TagSummary,
    check_previous,
    expand_inputs,
    is_text_record,
    not_content_counts,
    read_tagged,
    read_text_records,
    read_units,
    resume_progress,
    tag_file,
    tag_units,
    untagged,
    write_tagged,
)
from .codebook import Codebook
from .errors import ConfigError, InputError, unreadable
from .ingest import DEFAULT_MAX_BYTES
from .model import Transcript, json_line
from .normalise.preprocess import Preprocessor, PreprocessStats, preprocess_transcript

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "INSTALL_HINT",
    "ModelPlugin",
    "iter_batches",
    "model_loads",
    "preprocess_distributed",
    "read_text_lines",
    "tag_distributed",
]

#: Lines of a JSONL file per chunk, and the units a batch of small files aims at.
DEFAULT_BATCH_SIZE = 5000
INSTALL_HINT = 'pip install "klyngekoder[dask]"'
_BYTES_PER_UNIT = 200  # rough size of one unit in a non-JSONL file, to group small files into batches
_LOADS = 0  # models loaded in this process (a worker loads each model once; the tests check it)


def _distributed() -> Any:
    """The ``distributed`` package, imported lazily; a clear ConfigError when the extra is not installed."""
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError(
            f"Dask distributed is not installed ({exc}); --workers/--scheduler need it.",
            fix=f"install the extra: {INSTALL_HINT}",
        ) from exc
    return distributed


# -- the model on the workers -----------------------------------------------------------------------------------
def _model_files(model: Any, model_path: str | Path | None) -> dict[str, bytes]:
    """The files of the model folder (as saved by :func:`nlp.classify.save_coder`), read into memory."""
    if model_path is None:
        with tempfile.TemporaryDirectory(prefix="klynge-model-") as tmp:
            save_coder(model, Path(tmp) / "model")
            return _model_files(None, Path(tmp) / "model")
    root = Path(model_path)
    if not root.is_dir():
        raise InputError(
            "the model folder does not exist.", path=root, fix="pass a folder written by `nlp train`."
        )
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


class ModelPlugin:
    """Worker plugin carrying a model folder's bytes; the model is loaded once per worker, on first use.

    Registered under ``klyngekoder-model-<sha256 prefix>-<run>``: one run's model is loaded once per worker, and
    runs sharing a cluster never remove each other's model. Loading goes through :func:`nlp.classify.load_coder`,
    which verifies every file.
    """

    idempotent = True

    def __init__(self, files: dict[str, bytes], run: str = "") -> None:
        self.files = files
        self.run = run
        self.name = f"klyngekoder-model-{_digest(files)[:16]}-{run}"
        self._model: Any = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"files": self.files, "run": self.run}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["files"], state["run"])

    def setup(self, worker: Any = None) -> None:
        """Nothing to do until the first batch (a model that cannot load fails that task, with its message)."""

    def teardown(self, worker: Any = None) -> None:
        self._model = None

    @property
    def model(self) -> Any:
        """The loaded :class:`~nlp.classify.AutoCoder` (loaded on first access, thread-safe)."""
        global _LOADS
        with self._lock:
            if self._model is None:
                with tempfile.TemporaryDirectory(prefix="klynge-model-") as tmp:
                    for name, data in self.files.items():
                        target = Path(tmp, name)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data)
                    self._model = load_coder(tmp)
                _LOADS += 1
            return self._model


def model_loads() -> int:
    """How many models this process has loaded for distributed tagging (run on workers: one per model and run)."""
    return _LOADS


def _worker_plugin_class() -> type:
    """``ModelPlugin`` as a subclass of distributed's ``WorkerPlugin`` (built lazily: dask is optional)."""
    global _PLUGIN_CLASS
    if _PLUGIN_CLASS is None:
        base = _distributed().WorkerPlugin
        _PLUGIN_CLASS = type("DaskModelPlugin", (ModelPlugin, base), {"__module__": __name__})
    return _PLUGIN_CLASS


_PLUGIN_CLASS: type | None = None


def __getattr__(name: str) -> Any:  # pickled plugins refer to nlp.distributed.DaskModelPlugin
    if name == "DaskModelPlugin":
        return _worker_plugin_class()
    raise AttributeError(name)


# -- inputs as pieces and batches -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Piece:
    """One file, or a run of whole lines of a text-JSONL file (``data``; its first line is ``first_line``)."""

    path: str
    data: bytes | None
    first_line: int = 1
    first: bool = True
    last: bool = True
    weight: int = 1

    def meta(self) -> _Piece:
        return (
            _Piece(self.path, None, self.first_line, self.first, self.last, self.weight)
            if self.data
            else self
        )


def _is_text_jsonl(path: Path, read_options: Mapping[str, Any] | None = None) -> bool:
    """Whether :func:`read_units` reads ``path`` as lines of ``{"id", "text"}`` (else the file goes whole).

    A file over the size cap, or read with a forced encoding or kind, goes whole: the worker's :func:`read_units`
    then applies the options (and reports the file as :func:`tag_paths` does)."""
    opts = read_options or {}
    if (
        path.suffix.lower() != ".jsonl"
        or not path.is_file()
        or opts.get("encoding")
        or opts.get("kind", "auto") not in ("auto", "jsonl")
    ):
        return False
    max_bytes = opts.get("max_bytes", DEFAULT_MAX_BYTES)
    if max_bytes is not None and path.stat().st_size > max_bytes:
        return False
    try:
        with path.open(encoding="utf-8") as fh:
            first = next((line for line in fh if line.strip()), None)
        return first is None or is_text_record(json.loads(first))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False  # the worker reads it whole and reports the error exactly as tag_paths does


def _universal_lines(data: bytes) -> int:
    """Lines in ``data`` (ending in ``\\n``) as Python's universal-newline reading counts them."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _file_pieces(
    path: Path, batch_size: int, read_options: Mapping[str, Any] | None = None
) -> Iterator[_Piece]:
    if not _is_text_jsonl(path, read_options):
        size = path.stat().st_size if path.is_file() else 0
        yield _Piece(str(path), None, weight=max(1, size // _BYTES_PER_UNIT))
        return
    first_line, first, buf = 1, True, []
    with path.open("rb") as fh:
        for line in fh:
            buf.append(line)
            if len(buf) >= batch_size:
                data = b"".join(buf)
                buf = []
                nxt = fh.peek(1) if hasattr(fh, "peek") else b""
                yield _Piece(str(path), data, first_line, first, not nxt, weight=batch_size)
                first_line += _universal_lines(data)
                first = False
                if not nxt:
                    return
    yield _Piece(str(path), b"".join(buf), first_line, first, True, weight=max(1, len(buf)))


def iter_batches(
    files: Sequence[Path],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    read_options: Mapping[str, Any] | None = None,
) -> Iterator[list[_Piece]]:
    """Batches of pieces in input order: large text-JSONL files in chunks of ``batch_size`` lines, small files
    grouped until a batch holds about ``batch_size`` units. Reads the files lazily, one batch at a time.
    ``read_options`` (as for :func:`read_units`) decide which files are read whole."""
    batch: list[_Piece] = []
    weight = 0
    for path in files:
        for piece in _file_pieces(Path(path), batch_size, read_options):
            batch.append(piece)
            weight += piece.weight
            if weight >= batch_size:
                yield batch
                batch, weight = [], 0
    if batch:
        yield batch


def read_text_lines(path: str | Path, data: bytes, *, first_line: int = 1) -> list[dict[str, Any]]:
    """Units of a run of whole lines of a text-JSONL file, as :func:`nlp.classify.read_units` reads the file.

    ``data`` are the lines' bytes, ``first_line`` the line number of its first line in ``path``. Ids are checked
    for repeats within ``data`` only (the caller checks across runs).

    Raises
    ------
    InputError, ValueError, UnicodeDecodeError
        On the first unreadable line (the caller asks ``read_units`` for the exact message).
    """
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") as fh:
        return read_text_records(path, fh, first_line=first_line)


def _id_hashes(units: Sequence[dict[str, Any]]) -> bytes:
    return b"".join(hashlib.blake2b(u["id"].encode("utf-8"), digest_size=8).digest() for u in units)


@dataclass
class _Result:
    text: str = ""
    tagged: int = 0
    skipped: int = 0
    error: str | None = None
    recheck: bool = False  # the error came from a chunk: ask read_units for the whole file's message
    ids: bytes = b""
    not_content: dict[str, int] = field(default_factory=dict)


def _tag_batch(
    plugin_name: str,
    pieces: list[_Piece],
    done: frozenset | None,
    explain_words: int,
    read_options: Mapping[str, Any] | None = None,
) -> list[_Result]:
    """Worker side: tag every piece of a batch with the worker's model (loaded once per worker)."""
    from distributed import get_worker

    model = get_worker().plugins[plugin_name].model
    done = done or frozenset()
    out = []
    for piece in pieces:
        if piece.data is None:
            _, records, skipped, error = tag_file(model, Path(piece.path), done, explain_words, read_options)
            out.append(
                _Result(
                    "".join(map(json_line, records or ())),
                    len(records or ()),
                    skipped,
                    error,
                    not_content=not_content_counts(records or ()),
                )
            )
            continue
        try:
            units = read_text_lines(piece.path, piece.data, first_line=piece.first_line)
        except Exception as exc:  # noqa: BLE001 - one bad chunk is its file's problem, reported as tag_paths does
            out.append(_Result(error=str(exc), recheck=True))
            continue
        todo = untagged(units, done)
        records = tag_units(model, todo, explain_words=explain_words)
        out.append(
            _Result(
                "".join(map(json_line, records)),
                len(records),
                len(units) - len(todo),
                ids=_id_hashes(units) if not (piece.first and piece.last) else b"",
                not_content=not_content_counts(records),
            )
        )
    return out


def _file_error(path: str, read_options: Mapping[str, Any] | None = None) -> str | None:
    """The message ``tag_paths`` reports for a file that cannot be read (``None`` if it can)."""
    try:
        read_units(path, **(read_options or {}))
    except Exception as exc:  # noqa: BLE001 - the same per-file message as tag_paths
        return str(unreadable(path, exc))
    return None


def _has_repeats(hashes: list[bytes]) -> bool:
    import numpy as np

    arr = np.frombuffer(b"".join(hashes), dtype=np.uint64)
    if arr.size < 2:
        return False
    arr = np.sort(arr)
    return bool((arr[1:] == arr[:-1]).any())


# -- the driver -------------------------------------------------------------------------------------------------
def _connect(scheduler: str | None, workers: int | None, timeout: float) -> tuple[Any, Any]:
    distributed = _distributed()
    if (scheduler is None) == (workers is None):
        raise ConfigError(
            "give either a scheduler address or a number of local workers.",
            fix="use --scheduler tcp://HOST:PORT or --workers N.",
        )
    if scheduler is not None:
        if "://" not in scheduler:
            raise ConfigError(
                f"{scheduler!r} is not a scheduler address.",
                fix="write it as tcp://HOST:PORT (as printed by `dask scheduler`).",
            )
        try:
            return distributed.Client(scheduler, timeout=f"{timeout}s"), None
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}).",
                fix="start it with `dask scheduler` and workers with `dask worker ADDRESS`, "
                "or use --workers N for a cluster on this machine.",
            ) from exc
    if workers < 1:
        raise ConfigError(
            f"--workers must be at least 1, not {workers}.", fix="use --workers 2, for example."
        )
    import logging

    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return distributed.Client(cluster), cluster


def tag_distributed(
    model: Any,
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    fmt: str = "jsonl",
    model_path: str | Path | None = None,
    resume: bool = True,
    explain_words: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    window: int | None = None,
    connect_timeout: float = 10.0,
    on_file: Callable[[str, int], None] | None = None,
    read_options: Mapping[str, Any] | None = None,
    excel: bool = False,
    codebook: Codebook | None = None,
) -> TagSummary:
    """Tag every unit of ``inputs`` into ``out`` on a Dask cluster; the output equals :func:`tag_paths`' bytes.

    Parameters
    ----------
    model
        A fitted :class:`~nlp.classify.AutoCoder`, or the path of a model folder (then the client never loads it).
    inputs, out, fmt, resume, explain_words, on_file, read_options, excel
        As for :func:`nlp.classify.tag_paths`.
    codebook
        Code labels for the CSV/XLSX/Word tables (:func:`nlp.classify.tag.write_tagged`).
    scheduler
        Address of a running scheduler, ``tcp://HOST:PORT``. Workers must have klyngekoder installed and, for
        inputs other than text-JSONL, see the input files under the same paths.
    workers
        Instead of ``scheduler``: start a ``LocalCluster`` of this many processes (one thread each), closed after.
    model_path
        The folder ``model`` was loaded from, unchanged (its files are sent as they are); else ``model`` is saved
        to a temporary folder first (e.g. after changing ``min_confidence``).
    batch_size
        Lines per chunk of a text-JSONL file; small files are grouped to about this many units per task.
    window
        Batches in flight at once (default: 2 per worker thread + 2); bounds the memory of client and workers.
    connect_timeout
        Seconds to wait for the scheduler.

    Returns
    -------
    TagSummary
        As from :func:`tag_paths`.

    Raises
    ------
    ConfigError
        Dask is not installed, the scheduler cannot be reached, or the options contradict each other.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, not {batch_size}.", fix="use the default.")
    if isinstance(model, (str, Path)):
        model, model_path = None, model
    if resume:
        check_previous(model, model_path, Path(out), fmt, explain_words)
    files_bytes = _model_files(model, model_path)
    client, cluster = _connect(scheduler, workers, connect_timeout)
    try:
        return _run(
            client,
            files_bytes,
            inputs,
            Path(out),
            fmt=fmt,
            resume=resume,
            explain_words=explain_words,
            batch_size=batch_size,
            window=window,
            on_file=on_file,
            read_options=read_options,
            excel=excel,
            codebook=codebook,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run(
    client: Any,
    files_bytes: dict[str, bytes],
    inputs: Sequence[str | Path],
    out: Path,
    *,
    fmt: str,
    resume: bool,
    explain_words: int,
    batch_size: int,
    window: int | None,
    on_file: Callable[[str, int], None] | None,
    read_options: Mapping[str, Any] | None,
    excel: bool,
    codebook: Codebook | None,
) -> TagSummary:
    if fmt not in ("jsonl", "csv", "xlsx", "docx"):
        raise InputError(f"unknown output format {fmt!r}.", fix="use jsonl, csv, xlsx or docx.")
    files = expand_inputs(inputs)
    summary = TagSummary(files=len(files), out=str(out))
    progress = out if fmt == "jsonl" else out.with_name(f".{out.name}.partial.jsonl")
    done = resume_progress(progress, out, fmt=fmt, resume=resume)
    done_ref = client.scatter([done], broadcast=True, hash=False)[0] if done else None

    plugin = _worker_plugin_class()(files_bytes, uuid.uuid4().hex[:12])
    client.register_plugin(plugin, name=plugin.name)
    if window is None:
        window = 2 * max(1, sum(client.nthreads().values())) + 2
    pending: deque[tuple[Any, list[_Piece]]] = deque()
    batches = iter_batches(files, batch_size=batch_size, read_options=read_options)
    file_start = 0
    tagged = skipped = 0
    error: str | None = None
    recheck = False
    hashes: list[bytes] = []
    left_out = TagSummary()  # the current file's segments that are not interview content
    try:
        with open(progress, "a", encoding="utf-8") as fh:
            while True:
                while len(pending) < window:
                    batch = next(batches, None)
                    if batch is None:
                        break
                    fut = client.submit(
                        _tag_batch, plugin.name, batch, done_ref, explain_words, read_options, pure=False
                    )
                    pending.append((fut, [p.meta() for p in batch]))
                if not pending:
                    break
                fut, metas = pending.popleft()
                results = fut.result()
                fut.release()
                for piece, res in zip(metas, results):
                    if piece.first:
                        fh.flush()
                        file_start = os.fstat(fh.fileno()).st_size
                        tagged = skipped = 0
                        error, recheck, hashes, left_out = None, False, [], TagSummary()
                    if error is None:
                        if res.error is not None:
                            error, recheck = res.error, res.recheck
                        else:
                            fh.write(res.text)
                            fh.flush()
                            tagged += res.tagged
                            skipped += res.skipped
                            left_out.add_not_content(res.not_content)
                            if res.ids:
                                hashes.append(res.ids)
                    if not piece.last:
                        continue
                    if error is None and len(hashes) > 1 and _has_repeats(hashes):
                        error, recheck = "an id occurs twice.", True
                    if error is not None:
                        if recheck:
                            error = _file_error(piece.path, read_options) or error
                        fh.flush()
                        os.ftruncate(fh.fileno(), file_start)
                        summary.errors.append((piece.path, error))
                    else:
                        os.fsync(fh.fileno())
                        summary.tagged += tagged
                        summary.skipped += skipped
                        summary.add_not_content(left_out.not_content)
                    if on_file is not None:
                        on_file(piece.path, 0 if error is not None else tagged)
    finally:
        for fut, _ in pending:
            fut.cancel()
        with contextlib.suppress(Exception):  # a cluster shutting down has no plugin left to remove
            client.unregister_worker_plugin(plugin.name)
    if fmt != "jsonl":
        write_tagged(out, read_tagged(progress, fmt="jsonl"), fmt=fmt, excel=excel, codebook=codebook)
        progress.unlink()
    return summary


# -- preprocessing ----------------------------------------------------------------------------------------------
def _preprocess_batch(
    records: list[dict[str, Any]], options: dict[str, Any]
) -> list[tuple[dict[str, Any], Any]]:
    """On a worker: preprocess a batch of transcripts (as JSON records); returns (record, stats) pairs."""
    pre = Preprocessor(lang=options.get("lang"), harmonise=options.get("harmonise", False))
    out = []
    for rec in records:
        stats = PreprocessStats()
        done = preprocess_transcript(Transcript.from_json(rec), stats=stats, preprocessor=pre, **options)
        out.append((done.to_json(), stats))
    return out


def preprocess_distributed(
    transcripts: Iterable[Any],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    batch_size: int = 20,
    window: int | None = None,
    connect_timeout: float = 10.0,
    stats: Any = None,
    **options: Any,
) -> Iterator[Any]:
    """:func:`nlp.normalise.preprocess.preprocess_transcripts` on a Dask cluster, yielding the same transcripts in input order.

    Transcripts travel as JSON records in batches of ``batch_size``; at most ``window`` batches are in flight, so the
    client's memory stays flat however long the stream is. ``stats`` (a ``PreprocessStats``) is updated in order,
    exactly as the single-process path does.
    """
    client, cluster = _connect(scheduler, workers, connect_timeout)
    try:
        n_threads = sum(client.nthreads().values()) or 1
        window = window or 2 * n_threads + 2
        pending: deque = deque()
        batch: list[dict[str, Any]] = []

        def drain(limit: int) -> Iterator[Any]:
            while len(pending) > limit:
                for rec, part in pending.popleft().result():
                    if stats is not None:
                        _merge_stats(stats, part)
                    yield Transcript.from_json(rec)

        for t in transcripts:
            batch.append(t.to_json())
            if len(batch) >= batch_size:
                pending.append(client.submit(_preprocess_batch, batch, options, pure=False))
                batch = []
                yield from drain(window)
        if batch:
            pending.append(client.submit(_preprocess_batch, batch, options, pure=False))
        yield from drain(0)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _merge_stats(total: Any, part: Any) -> None:
    for name in ("segments", "tokens", "fillers", "stop_words", "transcripts"):
        getattr(total, name).update(getattr(part, name))
    for lang, lemmas in part.lemmas.items():
        total.lemmas.setdefault(lang, set()).update(lemmas)
