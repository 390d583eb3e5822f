#!/usr/bin/env python
"""Build the bundled corpus ``corpora/klynger/`` from the shared reference corpus (``../shared/corpus/``).

Run from the repository: ``.venv/bin/python scripts/build_corpus.py [--shared PATH] [--out PATH]``.

For each thesis the seed (PDF-extracted text) is cleaned with :func:`nlp.ingest.pdftext.clean_pdf_text`; each of
the coded excerpts is located in the cleaned text (its 1-based raw line range narrows the search; the excerpt is
aligned on letters and digits only, so whitespace, line-end hyphens, quotation marks and punctuation do not matter;
small wording differences fall back to a fuzzy alignment) and becomes a :class:`~nlp.model.Segment` with the
excerpt id. Both codings become manual (``source="human"``: not from the auto-coder) :class:`~nlp.model.CodeSpan` s
over the excerpt (coder ``coder1`` from ``annotations/``, ``coder2`` from ``coder2/``). They were made for this
project with AI assistance, not by the thesis authors and not by trained human coders (see :data:`CODINGS`, written
into every transcript's ``meta["codings"]`` so that reports and methods texts say so). The build fails, listing them, if any excerpt is not found, or if a
unit's codes as seen through :func:`nlp.model.iter_units` differ from the annotation.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.ingest.pdftext import clean_pdf_text_report
from nlp.model import (
    POLARITY_PREFIX,
    CodeSpan,
    Segment,
    Transcript,
    atomic_write_text,
    iter_units,
    write_jsonl,
)
from nlp.refi import load_codebook

CODERS = {"coder1": "annotations", "coder2": "coder2"}
KIND_TO_SEGMENT = {"quote": "answer", "block": "answer", "inline": "answer", "paraphrase": "other"}
#: Thesis metadata, from the shared corpus README (the seeds carry no title page).
THESES = {
    "000": {
        "authors": "Lilleås & Wendelbo",
        "year": 2014,
        "institution": "Høgskolen i Lillehammer",
        "degree": "Master (Innovasjon og næringsutvikling)",
        "lang": "nb",
        "langs": ["nb", "da"],
        "title": "Industry cluster ARMS (Røros) vs tourism cluster Snowball (Lillehammer); article 2 in Danish",
    },
    "002": {
        "authors": "Westgaard & Lexander",
        "year": 2006,
        "institution": "Master of Innovation Management",
        "degree": "Master of Innovation Management",
        "lang": "nb",
        "langs": ["nb"],
        "title": "Cluster initiatives BIOINN and a pop/rock music cluster in Hedmark",
    },
    "003": {
        "authors": "Sajets & Aspø",
        "year": 2019,
        "institution": "Universitetet i Agder",
        "degree": "Master (Informasjonssystemer)",
        "lang": "nb",
        "langs": ["nb"],
        "title": "Co-creation (samskaping) and digitalisation in three clusters; drivers and barriers",
    },
    "004": {
        "authors": None,
        "year": 2022,
        "institution": "NTNU",
        "degree": "Master (Entreprenørskap, innovasjon og samfunn)",
        "lang": "nb",
        "langs": ["nb"],
        "title": "Knowledge exchange in micro-clusters in the DIGS co-working space, Trondheim",
    },
}
#: How each coding was made (the shared corpus README): every report and methods text built on the corpus says it.
CODINGS = {
    "coder1": "made for this project with AI assistance (not by the thesis authors, not by trained human coders), "
    "from a close reading of each excerpt with its thesis' context",
    "coder2": "made for this project with AI assistance (not by the thesis authors, not by trained human coders), "
    "from the excerpt text alone, without the thesis around it",
}
#: What one transcript of this corpus is (``meta["document"]``).
DOCUMENT = "a whole thesis (its cleaned text, with the coded excerpts located in it)"
LINE_MARGIN = 3  # raw lines searched beyond an excerpt's line range
CHAR_MARGIN = 400  # cleaned characters searched beyond that window
MIN_FUZZY_SIMILARITY = 0.85
RESTATEMENT_SIMILARITY = 0.6
RESTATEMENT_CONTAINMENT = 0.25
#: thesis 002: chapter-5 sections restate the appendix interviews of the same case
RESTATEMENT_SOURCES = {("002", "5.1 BIOINN"): "Vedlegg 1", ("002", "5.2 Musikk-klynge"): "9.2 Vedlegg 2"}
#: One informant attributed in two wordings in the same thesis (read in the thesis: the same organisation).
INFORMANT_ALIASES = {("000", "Informanten fra Næringshagen"): "Informanten fra Rørosregionen Næringshage"}
INDEFINITE = re.compile(r"(?i)^(en|ei|et|ein|denne|dette|informanten \(en)\b")


def _key(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, lowercased, with the offset of each kept character."""
    chars, pos = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            low = ch.lower()
            chars.append(low if len(low) == 1 else ch)
            pos.append(i)
    return "".join(chars), pos


def _norm(text: str) -> str:
    text = re.sub(r"[\"“”„«»‘’']", "", text)
    return re.sub(r"\s+", " ", text).strip()


def similarity(a: str, b: str) -> float:
    """difflib ratio of two texts after removing quotation marks and normalising whitespace."""
    return difflib.SequenceMatcher(None, _norm(a), _norm(b), autojunk=False).ratio()


def _line_offsets(raw: str) -> list[int]:
    out, pos = [0], 0
    for line in raw.split("\n"):
        pos += len(line) + 1
        out.append(pos)
    return out


@dataclass
class Located:
    start: int
    end: int
    method: str
    similarity: float


def _extend(text: str, start: int, end: int, excerpt: str) -> tuple[int, int]:
    """Widen a letters-only match over the excerpt's leading and trailing punctuation ('[i] …', ' (?)')."""
    m = re.search(r"[^\w\"“”„«»‘’']*$", excerpt.rstrip())
    tail = re.sub(r"\s+", "", m.group()) if m else ""
    pos, k = end, 0
    while k < len(tail) and pos < len(text):
        if text[pos].isspace() and pos - end < 3:
            pos += 1
            continue
        if text[pos] != tail[k]:
            break
        pos += 1
        k += 1
        end = pos
    m = re.match(r"^[^\w\"“”„«»‘’']*", excerpt.lstrip())
    head = re.sub(r"\s+", "", m.group()) if m else ""
    pos, k = start, len(head) - 1
    while k >= 0 and pos > 0:
        if text[pos - 1].isspace() and start - pos < 3:
            pos -= 1
            continue
        if text[pos - 1] != head[k]:
            break
        pos -= 1
        k -= 1
        start = pos
    return start, end


def locate(text: str, raw_of_clean: list[int], line_off: list[int], ex: dict) -> Located | None:
    """Find excerpt ``ex`` in the cleaned ``text``; ``raw_of_clean[i]`` is the raw offset of cleaned offset i."""
    lo_line = max(ex["line_start"] - 1 - LINE_MARGIN, 0)
    hi_line = min(ex["line_end"] + LINE_MARGIN, len(line_off) - 1)
    raw_lo, raw_hi = line_off[lo_line], line_off[hi_line]
    inside = [i for i, r in enumerate(raw_of_clean) if raw_lo <= r < raw_hi]
    windows = []
    if inside:
        windows.append((max(min(inside) - CHAR_MARGIN, 0), min(max(inside) + CHAR_MARGIN, len(text))))
    windows.append((0, len(text)))
    ekey, _ = _key(ex["text"])
    if not ekey:
        return None
    for w_lo, w_hi in windows:
        wkey, wpos = _key(text[w_lo:w_hi])
        hits = [m.start() for m in re.finditer(re.escape(ekey), wkey)]
        if hits:
            # several hits (a short fragment): take the one nearest the recorded lines
            centre = (raw_lo + raw_hi) / 2
            h = min(hits, key=lambda k: abs(raw_of_clean[w_lo + wpos[k]] - centre))
            s, e = w_lo + wpos[h], w_lo + wpos[h + len(ekey) - 1] + 1
            s, e = _extend(text, s, e, ex["text"])
            return Located(
                s,
                e,
                "exact" if (w_lo, w_hi) == windows[0] else "exact-outside-lines",
                similarity(ex["text"], text[s:e]),
            )
    # fuzzy: align the letters-only keys inside the line window
    w_lo, w_hi = windows[0]
    wkey, wpos = _key(text[w_lo:w_hi])
    sm = difflib.SequenceMatcher(None, wkey, ekey, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size >= 4]
    if not blocks:
        return None
    # the densest run of blocks covering the excerpt
    best = None
    for i, first in enumerate(blocks):
        for last in blocks[i:]:
            span = last.a + last.size - first.a
            if span > 1.5 * len(ekey):
                break
            matched = sum(b.size for b in blocks if first.a <= b.a and b.a + b.size <= last.a + last.size)
            score = matched / max(len(ekey), span)
            if best is None or score > best[0]:
                best = (score, first.a, last.a + last.size)
    _score, ka, kb = best
    s, e = w_lo + wpos[ka], w_lo + wpos[kb - 1] + 1
    s, e = _extend(text, s, e, ex["text"])
    sim = similarity(ex["text"], text[s:e])
    if sim < MIN_FUZZY_SIMILARITY:
        return None
    return Located(s, e, "fuzzy", sim)


# --- grouping -------------------------------------------------------------------------------------------------
class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")[:60]


def _informant_key(thesis: str, ex: dict) -> str:
    """thesis + informant; unidentified speakers (null or an indefinite description) per thesis and top section."""
    inf = ex.get("informant")
    inf = INFORMANT_ALIASES.get((thesis, inf), inf)
    top = ex["section"].split(" > ")[0]
    if not inf or INDEFINITE.match(inf.strip()):
        return f"{thesis}:unidentified:{_slug(top)}"
    return f"{thesis}:{_slug(inf)}"


def _initials(inf: str) -> set[str]:
    return set(re.findall(r"\b[A-ZÆØÅ]{2,4}\b", inf))


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 4}


def containment(summary: str, source: str) -> float:
    """Share of the summary's content words (4+ letters) that occur in the source."""
    words = _content_words(summary)
    return len(words & _content_words(source)) / len(words) if words else 0.0


def assign_groups(thesis: str, excerpts: list[dict]) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Group id per excerpt id, and the restatement links found (chapter-5 id, appendix id, similarity).

    Rule: group = thesis + informant (unidentified speakers per thesis and top-level section). In thesis 002 the
    chapter-5 sections restate the appendix interviews of the same case, so a chapter-5 excerpt is joined to each
    appendix excerpt it restates: difflib similarity >= RESTATEMENT_SIMILARITY, or one text contains the other, or
    (for a summary without an informant) the appendix excerpt(s) sharing the most content words with it (at least
    RESTATEMENT_CONTAINMENT of them). An attribution to several people by initials ("KF, PB og KM", "OMR og TA
    (felles svar)") joins those people's appendix groups. Groups are the connected components of these links, so
    a restatement never lands in another fold than its source.
    """
    uf = _UnionFind()
    summary_ids = {
        e["id"]
        for (th, pre) in RESTATEMENT_SOURCES
        if th == thesis
        for e in excerpts
        if e["section"].startswith(pre)
    }
    for ex in excerpts:
        if not (ex["id"] in summary_ids and not ex.get("informant")):
            uf.union(ex["id"], _informant_key(thesis, ex))
    links: list[tuple[str, str, float]] = []
    for (th, summary_prefix), appendix_prefix in RESTATEMENT_SOURCES.items():
        if th != thesis:
            continue
        summaries = [e for e in excerpts if e["section"].startswith(summary_prefix)]
        sources = [e for e in excerpts if e["section"].startswith(appendix_prefix)]
        by_initials: dict[str, set[str]] = defaultdict(set)
        for src in sources:
            names = _initials(src.get("informant") or "")
            if len(names) == 1:
                by_initials[names.pop()].add(_informant_key(thesis, src))
        for ex in [*summaries, *sources]:
            names = _initials(ex.get("informant") or "")
            if ex in sources and len(names) < 2:
                continue
            for ini in names:
                for key in by_initials.get(ini, ()):
                    uf.union(ex["id"], key)
        for ex in summaries:
            skey = _key(ex["text"])[0]
            linked = False
            for src in sources:
                akey = _key(src["text"])[0]
                sim = similarity(ex["text"], src["text"])
                contained = min(len(skey), len(akey)) >= 25 and (skey in akey or akey in skey)
                if sim >= RESTATEMENT_SIMILARITY or contained:
                    uf.union(ex["id"], src["id"])
                    links.append((ex["id"], src["id"], round(sim, 3)))
                    linked = True
            if not ex.get("informant"):
                scores = [(containment(ex["text"], src["text"]), src) for src in sources]
                best = max((c for c, _ in scores), default=0.0)
                if best >= RESTATEMENT_CONTAINMENT:
                    for c, src in scores:
                        if c >= best - 0.05:
                            uf.union(ex["id"], src["id"])
                            links.append((ex["id"], src["id"], round(similarity(ex["text"], src["text"]), 3)))
                            linked = True
                if not linked:
                    uf.union(ex["id"], _informant_key(thesis, ex))
    comps: dict[str, list[str]] = defaultdict(list)
    for ex in excerpts:
        comps[uf.find(ex["id"])].append(ex["id"])
    groups: dict[str, str] = {}
    for members in comps.values():
        keys = sorted(
            {_informant_key(thesis, e) for e in excerpts if e["id"] in members and e.get("informant")}
            or {_informant_key(thesis, e) for e in excerpts if e["id"] in members}
        )
        initials = sorted(
            {i for e in excerpts if e["id"] in members for i in _initials(e.get("informant") or "")}
        )
        name = (
            keys[0]
            if len(keys) == 1
            else f"{thesis}:" + "+".join(initials or [k.split(":", 1)[1] for k in keys])
        )
        for m in members:
            groups[m] = name
    if len(set(groups.values())) != len(comps):
        raise SystemExit(f"thesis {thesis}: two groups got the same name; refine the naming rule.")
    return groups, links


def group_kinds(thesis: str, excerpts: list[dict], groups: dict[str, str]) -> dict[str, str]:
    """What each group is, for methods texts: one named informant, unidentified speakers of one thesis section, or
    several informants joined (by a shared attribution or by restated text)."""
    keys: dict[str, set[str]] = defaultdict(set)
    for ex in excerpts:
        keys[groups[ex["id"]]].add(_informant_key(thesis, ex))
    out = {}
    for g, ks in keys.items():
        named = {k for k in ks if ":unidentified:" not in k}
        if len(named) > 1:
            out[g] = "several informants joined by a shared attribution or restated text"
        elif named:
            out[g] = "one named informant" if len(ks) == 1 else "one informant with restatements of them"
        else:
            out[g] = "unidentified speakers of one thesis section"
    return out


# --- build ----------------------------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}, line {n}: not JSON ({exc}).") from exc
    return rows


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    try:
        from nlp.clean import decode_bytes
    except ImportError:
        return data.decode("utf-8"), "utf-8"
    return decode_bytes(data, path=path)


def build(shared: Path, out: Path) -> dict:
    codebook = load_codebook(shared / "codebook.yaml")
    header = [
        ln[1:].strip()
        for ln in (shared / "codebook.yaml").read_text(encoding="utf-8").splitlines()
        if ln.startswith("#")
    ]
    if header and not codebook.description:
        codebook = replace(codebook, description=" ".join(header))
    transcripts, problems, stats = (
        [],
        [],
        {"theses": {}, "similarities": [], "methods": Counter(), "links": []},
    )
    for ann in sorted((shared / "annotations").glob("*.jsonl")):
        thesis = ann.stem
        excerpts = _read_jsonl(ann)
        second = {r["id"]: r for r in _read_jsonl(shared / CODERS["coder2"] / ann.name)}
        seed_names = {e["source"] for e in excerpts}
        if len(seed_names) != 1:
            raise SystemExit(
                f"{ann}: excerpts cite several seeds {sorted(seed_names)}; expected one per thesis."
            )
        seed = shared / "seeds" / seed_names.pop()
        raw, encoding = _decode(seed)
        text, omap, report = clean_pdf_text_report(raw)
        raw_of_clean = [omap.to_raw(i) for i in range(len(text) + 1)]
        line_off = _line_offsets(raw)
        groups, links = assign_groups(thesis, excerpts)
        kinds = group_kinds(thesis, excerpts, groups)
        stats["links"].extend(links)
        stats.setdefault("kinds", Counter()).update(kinds.values())
        segments, codes = [], []
        for ex in excerpts:
            codebook.check_codes(ex["codes"], where=f"{ann}: {ex['id']}")
            loc = locate(text, raw_of_clean, line_off, ex)
            if loc is None:
                problems.append(
                    f"{ann.name}: {ex['id']} (lines {ex['line_start']}-{ex['line_end']}) not found: "
                    f"{ex['text'][:80]!r}"
                )
                continue
            stats["similarities"].append(loc.similarity)
            stats["methods"][loc.method] += 1
            meta = {
                "group": groups[ex["id"]],
                "group_kind": kinds[groups[ex["id"]]],
                "informant_group": _informant_key(thesis, ex),
                "thesis": thesis,
                "informant": ex.get("informant"),
                "section": ex["section"],
                "line_start": ex["line_start"],
                "line_end": ex["line_end"],
                "kind": ex["kind"],
                "source": f"seeds/{seed.name}",
                "text": ex["text"],
                "concepts_detail": ex.get("concepts_detail", []),
                "match": {"method": loc.method, "similarity": round(loc.similarity, 4)},
            }
            segments.append(
                Segment(
                    start=loc.start,
                    end=loc.end,
                    speaker=ex.get("informant"),
                    kind=KIND_TO_SEGMENT.get(ex["kind"], "other"),
                    lang=ex["lang"],
                    id=ex["id"],
                    meta=meta,
                )
            )
            if ex["id"] not in second:
                problems.append(f"{CODERS['coder2']}/{ann.name}: no coding for {ex['id']}")
            for coder, row in (("coder1", ex), ("coder2", second.get(ex["id"]))):
                if row is None:
                    continue
                codebook.check_codes(row["codes"], where=f"{coder} {ann.name}: {ex['id']}")
                for code in [*row["codes"], POLARITY_PREFIX + row["polarity"]]:
                    codes.append(
                        CodeSpan(code=code, start=loc.start, end=loc.end, coder=coder, source="human")
                    )
        info = THESES.get(thesis, {})
        langs = Counter(e["lang"] for e in excerpts)
        t = Transcript(
            id=f"klynger-{thesis}",
            text=text,
            segments=tuple(segments),
            codes=tuple(codes),
            source=f"seeds/{seed.name}",
            encoding=encoding,
            lang=info.get("lang", langs.most_common(1)[0][0]),
            offset_map=omap,
            meta={
                "thesis": thesis,
                **{k: v for k, v in info.items() if k != "lang"},
                "languages": info.get("langs", sorted(langs)),
                "corpus": "klynger",
                "group": f"{thesis}:thesis",
                "document": DOCUMENT,
                "codings": CODINGS,
                **report.as_meta(),
            },
        )
        transcripts.append(t)
        stats["theses"][thesis] = {
            "excerpts": len(excerpts),
            "located": len(segments),
            "groups": len(set(groups.values())),
            "chars": len(text),
            "langs": dict(langs),
        }
    # every unit must carry exactly its own annotation's codes (overlapping excerpts must not leak codes)
    expected = {}
    for ann in sorted((shared / "annotations").glob("*.jsonl")):
        for ex in _read_jsonl(ann):
            expected[(ex["id"], "coder1")] = {*ex["codes"], POLARITY_PREFIX + ex["polarity"]}
        for row in _read_jsonl(shared / CODERS["coder2"] / ann.name):
            expected[(row["id"], "coder2")] = {*row["codes"], POLARITY_PREFIX + row["polarity"]}
    for unit in iter_units(transcripts):
        for coder in CODERS:
            got = set(unit.codes.get(coder, ()))
            if got != expected.get((unit.id, coder)):
                problems.append(
                    f"unit {unit.id} {coder}: codes {sorted(got)} != annotation "
                    f"{sorted(expected.get((unit.id, coder), ()))} (overlapping excerpts?)"
                )
    stats["problems"] = problems
    if problems:
        return stats
    out.mkdir(parents=True, exist_ok=True)
    codebook.save(out / "codebook.yaml")
    write_jsonl(out / "transcripts.jsonl", transcripts)
    atomic_write_text(out / "README.md", _readme(transcripts, stats))
    for f in ("codebook.yaml", "transcripts.jsonl", "README.md"):
        (out / f).chmod(0o644)
    return stats


def _readme(transcripts: list[Transcript], stats: dict) -> str:
    sims = stats["similarities"]
    rows = []
    for t in transcripts:
        m = t.meta
        st = stats["theses"][m["thesis"]]
        authors = f"{m['authors']} " if m.get("authors") else ""
        rows.append(
            f"| {m['thesis']} | {authors}({m.get('year', '?')}), {m.get('institution', '?')}: "
            f"{m.get('title', '?')} | "
            f"{', '.join(m['languages'])} | {st['excerpts']} | {st['groups']} | `{t.source}` |"
        )
    n_groups = len({s.meta["group"] for t in transcripts for s in t.segments})
    restated = len({a for a, _b, _s in stats["links"]})
    kinds = "; ".join(f"{k}: {n}" for k, n in sorted(stats["kinds"].items(), key=lambda kv: (-kv[1], kv[0])))
    sizes = sorted(Counter(s.meta["group"] for t in transcripts for s in t.segments).values(), reverse=True)
    top2, eff = sum(sizes[:2]) / sum(sizes), sum(sizes) ** 2 / sum(x * x for x in sizes)
    return f"""# klynger: coded interview excerpts from four theses on Norwegian industry clusters

The project's bundled corpus, built by `scripts/build_corpus.py` from the shared reference corpus
(`../shared/corpus/`). Load it with `nlp.corpora.load("klynger")` or `--corpus klynger` on the command line.

## Sources

| thesis | source (authors, year, institution: subject) | language | excerpts | groups | seed |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Licence: the seeds are text extracted from publicly available master's theses; the shared corpus states no licence
for them, so copyright stays with the authors and their institutions. They are bundled, with short coded quotations,
for research and teaching use of this toolkit; confirm the theses' terms before redistributing the texts, and cite
the theses when you report results on them.

## Who coded

The two codings (`coder1`, `coder2`) were made for this project, **not by the thesis authors and not by trained human
coders: both were produced with AI assistance**. `coder1` comes from a close reading of each excerpt with its thesis'
context (the concepts and the driver/barrier reading the author gives it in the surrounding analysis); `coder2` from
the excerpt text alone. Describe them as two independent reference codings, never as a human gold standard or as
"two people"; call coder2's figures "the second coder's agreement". Every transcript carries this in
`meta["codings"]`, so `nlp compare` and `nlp report` say it in their methods texts.

## Files

- `codebook.yaml`: 15 cluster-theory concept codes plus polarity (driver | barrier | neutral), read with
  `nlp.codebook.load_codebook` (the shared project `Codebook`). Cue words are left empty: none were derived.
- `transcripts.jsonl`: one `Transcript` per thesis: the whole seed text cleaned of PDF artefacts by
  `nlp.ingest.pdftext` (page marks, page numbers, joined lines, line-end hyphens, footnotes, NFC) with an offset
  map back to the seed. Each coded excerpt is a `Segment` with `id` = excerpt id, `kind` `answer` (informant speech:
  quote, block, inline) or `other` (the thesis author's paraphrase), `lang`, `speaker` = informant, and `meta`:
  group, thesis, informant, section, line_start/line_end (1-based lines of the seed), kind, source, the
  annotation text, concepts_detail and how the excerpt was located. Codes are manual `CodeSpan`s (source
  `human`, i.e. not from the auto-coder; made with AI assistance, see above) over the excerpt: concept codes and
  `polarity:<value>`, coder `coder1` (annotations/, read in context) and `coder2` (coder2/, from the excerpt text
  alone). Transcript `meta` also says what a transcript is (`document`: a whole thesis) and how each coding was made
  (`codings`); each segment's `meta.group_kind` says what its group is.

## How it was built

Every excerpt was located in the cleaned text: its raw line range narrows the search, then the excerpt is matched
on letters and digits only (so whitespace, line-end hyphens, quotation marks and punctuation do not matter), with a
fuzzy alignment as fallback. {len(sims)} of {len(sims)} excerpts located ({dict(stats["methods"])}); similarity of
`text[start:end]` to the annotation text (difflib ratio, quotation marks removed): min {min(sims):.3f}, mean
{statistics.mean(sims):.3f}, {sum(s >= 0.99 for s in sims)} at or above 0.99. The build fails and lists any excerpt
it cannot find, and checks that every unit carries exactly its own annotation's codes.

## Groups for honest validation

Each excerpt's `meta.group` (also `Unit.group`) is thesis + informant. Unidentified speakers (no informant, or an
indefinite description such as "En bedrift", "En informant") are grouped per thesis and top-level section, since
they may be the same person. In thesis 002 the chapter-5 summaries restate the appendix interview notes: a
chapter-5 excerpt is joined to every appendix excerpt of the same case whose text it restates (difflib similarity
>= {RESTATEMENT_SIMILARITY} or one text contains the other), and a chapter-5 attribution to several informants by
initials ("KF, PB og KM") joins those informants; groups are the connected components. {restated} chapter-5
excerpts were linked to appendix sources by text; {n_groups} groups in all ({kinds}).

The groups are very unequal: the largest two hold {top2:.0%} of the excerpts, so the {n_groups} groups are worth
about {eff:.1f} equally large ones (Kish's effective number, (sum w)^2 / sum w^2 with w = excerpts per group); and
they sit inside {len(transcripts)} theses, which the bootstrap does not resample. Intervals over these groups are rough
and probably too narrow; `nlp compare` and `nlp report` say so in their methods texts.

## Caveats (from the shared corpus README)

- In 002 the chapter-5 summaries restate the appendix interview notes, often near-verbatim: keep an excerpt and its
  restatement in the same cross-validation fold (use the groups above).
- Units are short (some inline fragments are a few words); label distributions differ strongly between theses.
- Each thesis is one study: training on some theses and testing on another measures transfer to a new study, which
  is harder than tagging new interviews of the same study.
- The two codings agree at polarity kappa about 0.6 and concept micro-F1 about 0.6 (excerpts without context are
  hard); some fragments are a word or two ("nei", "Helt avgjørende"): report agreement with and
  without them.
- The seeds are PDF extractions: flattened tables and figure labels remain in the text; article 2 of thesis 000 is
  Danish, with Norwegian words throughout.

## Counts

{sum(len(t.segments) for t in transcripts)} excerpts (units), {len(transcripts)} transcripts, coders coder1 and
coder2 on every unit. `nlp corpus info klynger` prints excerpts per thesis, language, code and polarity per coder,
and code co-occurrence.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared" / "corpus",
        help="the shared corpus folder (default: ../shared/corpus beside the repository)",
    )
    ap.add_argument("--out", type=Path, default=REPO / "corpora" / "klynger", help="output folder")
    args = ap.parse_args(argv)
    shared = args.shared
    if (shared / "corpus" / "annotations").is_dir():
        shared = shared / "corpus"
    if not (shared / "annotations").is_dir():
        print(
            f"error: {shared} has no annotations/ folder. Fix: pass --shared PATH/TO/shared/corpus.",
            file=sys.stderr,
        )
        return 2
    stats = build(shared, args.out)
    sims = stats["similarities"]
    for thesis, st in stats["theses"].items():
        print(
            f"{thesis}: {st['located']}/{st['excerpts']} excerpts located, {st['groups']} groups, "
            f"{st['chars']} chars, langs {st['langs']}"
        )
    if sims:
        print(
            f"similarity: min {min(sims):.3f} mean {statistics.mean(sims):.3f} "
            f"(>=0.99: {sum(s >= 0.99 for s in sims)}/{len(sims)}); methods {dict(stats['methods'])}"
        )
    print(f"restatement links (002 chapter 5 -> appendix): {len(stats['links'])}")
    if stats["problems"]:
        print(f"error: {len(stats['problems'])} problems; nothing written:", file=sys.stderr)
        for p in stats["problems"]:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
