"""The local review server of ``nlp review``: one page, a small JSON API, every decision on disk before it answers.

Standard library only (:class:`http.server.ThreadingHTTPServer`): the page is one file with its script and style
inline, there are five fixed routes (the page and four API calls), and nothing needs a framework's routing,
templating or sessions. Security: bound to 127.0.0.1 on a free port; a random token in the URL is required on every
request (compared in constant time); the ``Host`` must be this address and an ``Origin``, when sent, this origin
(DNS rebinding and cross-site requests are refused); POST bodies must be JSON; no route takes a file name, so
nothing outside the tagged file and its decision log is read or written; a strict Content-Security-Policy (no
external anything) guards the page.
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
import threading
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..classify import suggest
from ..codebook import Codebook
from ..errors import NlpError
from ..model import POLARITY_PREFIX, Transcript
from .decisions import DecisionLog, is_reviewed, replay, review_summary
from .machine import source_transcripts

__all__ = ["ReviewServer", "interview_order", "uncertainty_order"]

_MAX_BODY = 64 * 1024
_CONTEXT_BEFORE, _CONTEXT_AFTER = 2, 1


def interview_order(records: Sequence[Mapping[str, Any]]) -> list[int]:
    """Record indices interview by interview (in order of first appearance), each by position in its text."""
    first: dict[str, int] = {}
    for i, r in enumerate(records):
        first.setdefault(str(r.get("source")), i)
    return sorted(
        range(len(records)),
        key=lambda i: (first[str(records[i].get("source"))], int(records[i].get("start") or 0), i),
    )


def uncertainty_order(records: Sequence[Mapping[str, Any]], model: Any = None) -> list[int]:
    """Record indices, the most uncertain first.

    With the model that tagged them this is ``nlp suggest``'s order (uncertainty against each code's own
    threshold, spread over different texts); exact duplicates it leaves out follow in interview order. Without
    it, the records' own probabilities decide: the polarity's normalised entropy and how close the most doubtful
    code is to 0.5, half each (the same mix ``nlp suggest`` uses, with 0.5 for the thresholds).
    """
    if model is not None:
        picks = suggest(
            model, [{"id": i, "text": r.get("text", "")} for i, r in enumerate(records)], n=len(records)
        )
        chosen = [int(p["id"]) for p in picks]
        taken = set(chosen)
        return chosen + [i for i in interview_order(records) if i not in taken]
    scores = []
    for i, r in enumerate(records):
        s = r.get("scores") or {}
        pol = [float(v) for k, v in s.items() if k.startswith(POLARITY_PREFIX)]
        ent = -sum(p * math.log(max(p, 1e-12)) for p in pol) / math.log(max(len(pol), 2)) if pol else 0.0
        codes = [float(v) for k, v in s.items() if not k.startswith(POLARITY_PREFIX)]
        close = max((1.0 - abs(p - 0.5) / 0.5 for p in codes), default=0.0)
        scores.append(-(0.5 * ent + 0.5 * close))
    base = interview_order(records)
    rank = {i: n for n, i in enumerate(base)}
    return sorted(range(len(records)), key=lambda i: (round(scores[i], 6), rank[i]))


def _turn(t: Transcript, s: Any) -> dict[str, Any]:
    return {"speaker": s.speaker, "text": t.text[s.start : s.end], "kind": s.kind}


def _record_turn(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"speaker": r.get("speaker"), "text": r.get("text"), "kind": "answer"}


def _page() -> str:
    return resources.files("nlp.review").joinpath("page.html").read_text(encoding="utf-8")


class ReviewServer:
    """Serve the review page for one tagged file on 127.0.0.1.

    Parameters
    ----------
    log
        The :class:`DecisionLog` of the tagged file (it holds the records and writes the decisions).
    order
        ``"interview"`` or ``"uncertainty"`` (the order the page starts in; both are offered).
    model
        The model that tagged the file, for ``nlp suggest``'s uncertainty order (optional).
    codebook
        Code labels and the codes offered to add (default: the codes in the records' scores).
    transcripts
        The transcripts tagged, for context with the interviewer's questions (default: read again from the
        records' sources where they exist, else neighbouring tagged turns give the context).
    port
        0 (default) takes a free port.
    """

    def __init__(
        self,
        log: DecisionLog,
        *,
        order: str = "interview",
        model: Any = None,
        codebook: Codebook | None = None,
        transcripts: Sequence[Transcript] | None = None,
        port: int = 0,
    ) -> None:
        if order not in ("interview", "uncertainty"):
            raise NlpError(f"order {order!r} is not interview or uncertainty.")
        self.log = log
        self.order = order
        records = log.records
        self.orders = {
            "interview": interview_order(records),
            "uncertainty": uncertainty_order(records, model),
        }
        self.codebook = codebook
        self.token = secrets.token_urlsafe(24)
        self._build_context(transcripts)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- data ----------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def _build_context(self, transcripts: Sequence[Transcript] | None) -> None:
        """Per record the turns around it, and per interview all its turns (``i``: the record of a tagged turn).

        From the transcripts where they are at hand (with the interviewer's questions), else from the tagged turns.
        """
        records = self.log.records
        try:
            ts = source_transcripts(records, transcripts)
        except NlpError:
            ts = []
        by_source: dict[str, list[Transcript]] = {}
        for t in ts:
            by_source.setdefault(str(t.source or ""), []).append(t)
        groups: dict[str, list[int]] = {}
        for i in interview_order(records):
            groups.setdefault(str(records[i].get("source")), []).append(i)
        self._context: dict[int, dict[str, Any]] = {}
        self._interview_of: dict[int, str] = {}
        self._interviews: dict[str, dict[str, Any]] = {}
        for src, idx in groups.items():
            first = records[idx[0]]
            start, end = int(first["start"]), int(first["end"])
            t = next(
                (t for t in by_source.get(src) or ts if t.text[start:end] == str(first.get("text") or "")),
                None,
            )
            segs = sorted(t.segments, key=lambda s: (s.start, s.end)) if t is not None else []
            at = {(s.start, s.end): n for n, s in enumerate(segs)}
            spots = [at.get((int(records[i]["start"]), int(records[i]["end"]))) for i in idx]
            full = (
                t is not None
                and bool(segs)
                and None not in spots
                and all(
                    t.text[int(records[i]["start"]) : int(records[i]["end"])] == records[i].get("text")
                    for i in idx
                )
            )
            if full:
                of_seg = dict(zip(spots, idx))
                turns = [{**_turn(t, s), "i": of_seg.get(n)} for n, s in enumerate(segs)]
                for k, i in zip(spots, idx):
                    self._context[i] = {
                        "before": turns[max(0, k - _CONTEXT_BEFORE) : k],
                        "after": turns[k + 1 : k + 1 + _CONTEXT_AFTER],
                        "from": "transcript",
                    }
            else:
                turns = [{**_record_turn(records[i]), "i": i} for i in idx]
                for k, i in enumerate(idx):
                    self._context[i] = {
                        "before": turns[max(0, k - _CONTEXT_BEFORE) : k],
                        "after": turns[k + 1 : k + 1 + _CONTEXT_AFTER],
                        "from": "tagged turns",
                    }
            self._interviews[src] = {
                "source": src,
                "turns": turns,
                "from": "transcript" if full else "tagged turns",
            }
            for i in idx:
                self._interview_of[i] = src

    def _labels(self) -> dict[str, str]:
        names: list[str] = []
        for r in self.log.records:
            for k in r.get("scores") or {}:
                if k not in names:
                    names.append(k)
        labels = {k: k for k in names}
        if self.codebook is not None:
            for c in self.codebook.codes:
                labels[c.id] = c.name
            for p in self.codebook.polarity:
                lab = self.codebook.polarity_labels.get(p) or {}
                labels[POLARITY_PREFIX + p] = next((lab[k] for k in ("nb", "nn", "da") if lab.get(k)), p)
        return labels

    def position(self) -> int:
        """Where the reviewer stopped: the segment of the last decision, or the next unreviewed one after it."""
        order = self.orders[self.order]
        records = self.log.records
        state = replay(self.log.events)
        key_of = {(str(r.get("source")), str(r.get("id"))): i for i, r in enumerate(records)}
        last = max(state.items(), key=lambda kv: kv[1].last_seq, default=None)
        start = 0
        if last is not None:
            i = key_of.get(last[0])
            if i is not None:
                start = order.index(i)
                if not (is_reviewed(records[i], last[1]) or last[1].skipped):
                    return start
                start += 1
        for n in range(len(order)):
            j = order[(start + n) % len(order)] if order else 0
            s = state.get((str(records[j].get("source")), str(records[j].get("id"))))
            if not is_reviewed(records[j], s) and not (s is not None and s.skipped):
                return (start + n) % len(order)
        return min(start, max(len(order) - 1, 0))

    def state(self) -> dict[str, Any]:
        records = self.log.records
        st = replay(self.log.events)
        seg_state = {}
        for i, r in enumerate(records):
            s = st.get((str(r.get("source")), str(r.get("id"))))
            if s is not None:
                seg_state[i] = {**s.to_json(), "reviewed": is_reviewed(r, s)}
        polarity = (
            list(self.codebook.polarity)
            if self.codebook is not None
            else sorted(
                {
                    k[len(POLARITY_PREFIX) :]
                    for r in records
                    for k in (r.get("scores") or {})
                    if k.startswith(POLARITY_PREFIX)
                }
            )
        )
        return {
            "reviewer": self.log.reviewer,
            "tagged": self.log.tagged.name,
            "decisions": self.log.path.name,
            "order": self.order,
            "orders": self.orders,
            "position": self.position(),
            "segments": [
                {
                    "i": i,
                    "source": r.get("source"),
                    "id": r.get("id"),
                    "speaker": r.get("speaker"),
                    "start": r.get("start"),
                    "end": r.get("end"),
                    "text": r.get("text"),
                    "codes": r.get("codes", []),
                    "polarity": r.get("polarity"),
                    "scores": r.get("scores", {}),
                    "why": r.get("why") or {},
                    "model": r.get("model"),
                }
                for i, r in enumerate(records)
            ],
            "state": seg_state,
            "labels": self._labels(),
            "polarity_values": polarity,
            "summary": review_summary(records, self.log.events),
            "not_content": self.log.not_content,  # segments left out of the review, per reason
        }

    def decide(self, body: Mapping[str, Any]) -> dict[str, Any]:
        action = body.get("action")
        if action == "undo":
            event = self.log.undo_last()
        else:
            i = body.get("i")
            if not isinstance(i, int) or not 0 <= i < len(self.log.records):
                raise NlpError(f"no segment number {i!r}.")
            r = self.log.records[i]
            event = {"action": action, "source": r.get("source"), "id": r.get("id")}
            for k in ("code", "value"):
                if k in body:
                    event[k] = body[k]
            event = self.log.append(event)
        st = self.state()
        return {"event": event, "state": st["state"], "summary": st["summary"]}

    # -- HTTP ----------------------------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "klyngekoder-review"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # the CLI prints, not the server
                return

            def _send(self, status: int, body: bytes, ctype: str, *, nonce: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("X-Frame-Options", "DENY")
                src = f"'nonce-{nonce}'" if nonce else "'none'"
                self.send_header(
                    "Content-Security-Policy",
                    f"default-src 'none'; script-src {src}; style-src {src}; connect-src 'self'; "
                    "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                )
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, obj: Any) -> None:
                self._send(
                    status,
                    json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                    "application/json; charset=utf-8",
                )

            def _allowed(self) -> bool:
                origins = {f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"}
                host = self.headers.get("Host", "")
                if f"http://{host}" not in origins:
                    return False
                origin = self.headers.get("Origin")
                if origin is not None and origin not in origins:
                    return False
                if self.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
                    return False
                query = parse_qs(urlsplit(self.path).query)
                token = self.headers.get("X-Review-Token") or (query.get("token") or [""])[0]
                return hmac.compare_digest(token.encode(), server.token.encode())

            def _refuse(self) -> None:
                self._send(
                    HTTPStatus.FORBIDDEN,
                    b"forbidden: open the address nlp review printed\n",
                    "text/plain; charset=utf-8",
                )

            def do_GET(self) -> None:
                if not self._allowed():
                    return self._refuse()
                route = urlsplit(self.path).path
                if route == "/":
                    nonce = secrets.token_urlsafe(16)
                    page = _page().replace("{{NONCE}}", nonce)
                    return self._send(
                        HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8", nonce=nonce
                    )
                if route == "/api/state":
                    return self._json(HTTPStatus.OK, server.state())
                if route == "/api/context":
                    query = parse_qs(urlsplit(self.path).query)
                    try:
                        i = int((query.get("i") or [""])[0])
                    except ValueError:
                        return self._json(HTTPStatus.BAD_REQUEST, {"error": "i must be a segment number"})
                    return self._json(HTTPStatus.OK, server._context.get(i, {"before": [], "after": []}))
                if (
                    route == "/api/interview"
                ):  # the interview of segment i: no names or paths taken from the URL
                    query = parse_qs(urlsplit(self.path).query)
                    try:
                        i = int((query.get("i") or [""])[0])
                    except ValueError:
                        return self._json(HTTPStatus.BAD_REQUEST, {"error": "i must be a segment number"})
                    if i not in server._interview_of:
                        return self._json(HTTPStatus.NOT_FOUND, {"error": "no such segment"})
                    return self._json(HTTPStatus.OK, server._interviews[server._interview_of[i]])
                return self._json(HTTPStatus.NOT_FOUND, {"error": "no such page"})

            def do_POST(self) -> None:
                if not self._allowed() or self.headers.get("Origin") is None:
                    return self._refuse()
                if urlsplit(self.path).path != "/api/decide":
                    return self._json(HTTPStatus.NOT_FOUND, {"error": "no such page"})
                if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                    return self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send JSON"})
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    n = -1
                if not 0 < n <= _MAX_BODY:
                    return self._json(HTTPStatus.BAD_REQUEST, {"error": "body missing or too large"})
                try:
                    body = json.loads(self.rfile.read(n))
                    if not isinstance(body, dict):
                        return self._json(HTTPStatus.BAD_REQUEST, {"error": "send a JSON object"})
                    return self._json(HTTPStatus.OK, server.decide(body))
                except (ValueError, NlpError) as exc:
                    return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})

            def do_PUT(self) -> None:
                self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "not allowed"})

            do_DELETE = do_PATCH = do_PUT

        return Handler

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (or Ctrl-C in the caller)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> ReviewServer:
        """Serve in a background thread (for tests and notebooks); returns self."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
