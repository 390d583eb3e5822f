"""Build bench/data/pseudonymise_gold.jsonl from the hand-made annotation spec (engineer H).

Each output line: ``{"id", "split", "source", "lines", "lang", "text", "entities": [{"start", "end", "kind",
"text"}]}`` with code-point offsets into ``text``. Run: ``.venv/bin/python bench/build_pseudonymise_gold.py``.
The seeds are read from ``../shared/corpus/seeds`` beside the clone (or ``$KLYNGEKODER_SHARED``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("KLYNGEKODER_SHARED", ROOT.parent / "shared"))
KINDS = ("person", "firma", "sted", "epost", "telefon", "url", "postnr", "fnr", "cpr")


def passage(file: str, first: int, last: int) -> str:
    raw = (SHARED / "corpus" / "seeds" / file).read_text(encoding="utf-8")
    lines = unicodedata.normalize("NFC", raw).split("\n")
    return "\n".join(line.rstrip() for line in lines[first - 1 : last] if line.strip())


def annotate(text: str, spec: dict) -> list[dict]:
    cands = []
    for kind in KINDS:
        for surface in spec.get(kind) or ():
            surface = str(surface)
            hits = list(re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text))
            if not hits:
                sys.exit(f"{spec['id']}: {surface!r} ({kind}) does not occur in the passage")
            cands += [(m.start(), m.end(), kind) for m in hits]
    chosen: list[tuple[int, int, str]] = []
    for s, e, k in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
        if not any(s < ce and cs < e for cs, ce, _ in chosen):
            chosen.append((s, e, k))
    return [{"start": s, "end": e, "kind": k, "text": text[s:e]} for s, e, k in sorted(chosen)]


def main() -> None:
    specs = yaml.safe_load((HERE / "data" / "pseudonymise_gold_spec.yaml").read_text(encoding="utf-8"))
    out = []
    for spec in specs:
        if "text" in spec:
            text = spec["text"]
        else:
            text = passage(spec["file"], *spec["lines"])
        out.append(
            {
                "id": spec["id"],
                "split": spec["split"],
                "source": spec.get("file", "synthetic"),
                "lines": spec.get("lines"),
                "lang": spec["lang"],
                "text": text,
                "entities": annotate(text, spec),
            }
        )
    path = HERE / "data" / "pseudonymise_gold.jsonl"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    os.replace(tmp, path)
    counts: dict[tuple[str, str], int] = {}
    for r in out:
        for e in r["entities"]:
            counts[(r["split"], e["kind"])] = counts.get((r["split"], e["kind"]), 0) + 1
    print(f"{len(out)} passages, {sum(counts.values())} entity mentions -> {path}")
    for (split, kind), n in sorted(counts.items()):
        print(f"  {split:5s} {kind:8s} {n}")


if __name__ == "__main__":
    main()
