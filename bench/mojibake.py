"""Mojibake repair: ``nlp.clean.repair_mojibake`` against ftfy on the cases of the ingest tests.

Run: ``.venv/bin/python bench/mojibake.py [--n 5000] [--seed 0]``

The question this answers: could ftfy (a well-kept library) replace the hand-written repair in ``nlp/clean.py``?
It could only if it repairs the same cases at least as well; ours also returns an offset map back to the decoded
text, which ftfy's whole-text fixes cannot give. Cases, all from ``tests/test_clean.py`` and ``tests/test_ingest.py``:

* named cases: the Norwegian test sentence read as cp1252, real text that only looks like mojibake (``«SKAL VI GÅ»``,
  ``NØ”``), the ``nb_mojibake.txt`` fixture, a file mixing UTF-8 and cp1252 lines, and every other clean ``.txt``
  fixture (must stay unchanged);
* ``--n`` random Nordic texts (the alphabet of the property tests) encoded as UTF-8 and read as Windows reads them
  (must be repaired exactly), and the same texts unbroken (must stay unchanged).

ftfy is run three ways: ``fix_text`` with only its encoding fixes on, ``fix_encoding``, and ``fix_encoding`` on each
run our pattern finds (the only way to keep an offset map). Needs ftfy (``pip install -e ".[dev]"``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ftfy

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.clean import _MOJIBAKE, decode_bytes, repair_mojibake

FIXTURES = REPO / "tests" / "data" / "ingest"
TEXT = "Vi møttes på Røros. Æ, Ø og Å – «særlig» nyttig, sa Søren."
ALPHABET = list("abcdefghijklmnopqrstuvwxyzæøåéüäöÆØÅÉ .,;:!?«»–—’”\"'-0123456789\n")


def as_windows_reads_it(data: bytes) -> str:
    """cp1252, the bytes it leaves undefined read as latin-1 (as in tests/test_clean.py)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def named_cases() -> list[tuple[str, str, str]]:
    cases = [("test sentence read as cp1252", TEXT.encode().decode("cp1252"), TEXT)]
    cases += [
        (f"left alone: {t}", t, t)
        for t in ("«SKAL VI GÅ» sa han", "NØ” og DÆ«", "Ærlig talt, Øyvind.", "Åse")
    ]
    raw = (FIXTURES / "nb_mojibake.txt").read_text("utf-8")
    cases.append(("nb_mojibake.txt", raw, raw.encode("cp1252").decode("utf-8")))
    mixed = "I: Liker du blåbær?\n".encode() + "R: Nei, rømmegrøt.\n".encode("cp1252")
    cases.append(
        ("mixed UTF-8 and cp1252 lines", decode_bytes(mixed)[0], "I: Liker du blåbær?\nR: Nei, rømmegrøt.\n")
    )
    for path in sorted(FIXTURES.glob("*.txt")):
        if path.name in ("binary.txt", "nb_mojibake.txt", "empty.txt"):
            continue
        text = decode_bytes(path.read_bytes())[0]
        cases.append((f"clean fixture {path.name}", text, text))
    return cases


def ftfy_encoding_fixes_only(text: str) -> str:
    return ftfy.fix_text(
        text,
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
        normalization=None,
    )


def ftfy_per_run(text: str) -> str:
    return _MOJIBAKE.sub(lambda m: ftfy.fix_encoding(m.group()), text)


METHODS: dict[str, Callable[[str], str]] = {
    "ours (repair_mojibake)": lambda text: repair_mojibake(text)[0],
    "ftfy.fix_text, encoding fixes only": ftfy_encoding_fixes_only,
    "ftfy.fix_encoding": ftfy.fix_encoding,
    "ftfy.fix_encoding per run": ftfy_per_run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80))) for _ in range(args.n)]
    broken = [as_windows_reads_it(t.encode()) for t in texts]
    cases = named_cases()
    print(f"ftfy {ftfy.__version__}; {len(cases)} named cases; {args.n} random texts (seed {args.seed})\n")
    print("| method | named cases right | random repaired exactly | random clean unchanged | µs per text |")
    print("|---|---|---|---|---|")
    for name, fix in METHODS.items():
        wrong = [label for label, given, want in cases if fix(given) != want]
        t0 = time.perf_counter()
        repaired = sum(fix(b) == t for b, t in zip(broken, texts))
        per_text = (time.perf_counter() - t0) / max(args.n, 1) * 1e6
        unchanged = sum(fix(t) == t for t in texts)
        print(
            f"| {name} | {len(cases) - len(wrong)}/{len(cases)} | {repaired}/{args.n} | {unchanged}/{args.n} "
            f"| {per_text:.0f} |"
        )
        for label in wrong:
            print(f"|   wrong: {label} | | | | |")


if __name__ == "__main__":
    main()
