#!/usr/bin/env python
"""Regenerate the derived language data under ``nlp/lang/`` from ``../shared/data`` (reproducible, offline).

Writes
- ``nlp/lang/lemmas_{nb,nn,da}.tsv``: form -> lemma corrections layered over simplemma, learned from the UD DEV
  splits (and LIA train+dev for spoken nynorsk). Only forms where the most frequent gold lemma differs from
  simplemma's answer are stored. The TEST splits are never read, so ``bench/lemmas.py`` measures held-out data.
- ``nlp/lang/lexicon_{nb,nn,da,sv,en}.tsv.gz``: simplemma's own form -> lemma dictionaries re-encoded as sorted
  ``form<TAB>lemma`` lines (gzip, mtime 0), so that ``nlp.normalise`` loads one in a split and looks forms up by
  bisection instead of decoding simplemma's front-coded stream into a dict at start-up (4x faster, same answers).
  Depends only on the installed simplemma version (recorded in the first line).
- ``nlp/lang/langid.npz``: character n-gram profiles for nb, nn, da, sv, en (naive Bayes), from the UD
  dev splits (nb, nn, da), LIA train+dev (spoken nn), the Danish LCC sentences, and wordfreq's word lists (nb, da,
  sv, en; installed with the package). Swedish and English have no text here: their profiles come from wordfreq.

Usage: ``.venv/bin/python scripts/build_lang_data.py [--shared ../shared]``. Output is byte-identical between runs.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from _ud import read_conllu  # the one CoNLL-U reader of the benches and this builder

OUT = ROOT / "nlp" / "lang"

UD_FILES = {
    "nb": ["UD_Norwegian-Bokmaal/no_bokmaal-ud-dev.conllu"],
    "nn": ["UD_Norwegian-Nynorsk/no_nynorsk-ud-dev.conllu"],
    "da": ["UD_Danish-DDT/da_ddt-ud-dev.conllu"],
    "lia": [
        "UD_Norwegian-NynorskLIA/no_nynorsklia-ud-train.conllu",
        "UD_Norwegian-NynorskLIA/no_nynorsklia-ud-dev.conllu",
    ],
}
#: Words of wordfreq's lists used per language, and the corpus size (tokens) their frequencies are scaled to.
WORDFREQ_TOP = 30000
WORDFREQ_TOKENS = 300_000
NGRAM_MIN_COUNT = 2
#: Pseudo count of every form in simplemma's dictionary of a language (0 leaves the dictionaries out).
DICTIONARY_WEIGHT = 0


def gold_lemma(form: str, lemma: str, upos: str) -> str:
    if upos == "PUNCT" and lemma.startswith("$"):
        lemma = lemma[1:] or form
    return lemma.lower()


def build_lemmas(ud: Path) -> None:
    import simplemma

    sources = {"nb": ["nb"], "nn": ["nn", "lia"], "da": ["da"]}
    chain = {"nb": "nb", "nn": ("nn", "nb"), "da": "da"}
    for lang, names in sources.items():
        table: dict[str, str] = {}
        seen: set[str] = set()  # forms of an earlier (written) source: a later (spoken) one does not override
        for name in names:
            counts: dict[str, Counter] = defaultdict(Counter)
            for rel in UD_FILES[name]:
                for sent in read_conllu(ud / rel):
                    forms, lemmas, upos = sent.forms, sent.lemmas, sent.upos
                    for f, lem, u in zip(forms, lemmas, upos):
                        if lem == "_":
                            continue
                        counts[f.lower()][gold_lemma(f, lem, u)] += 1
            for form in sorted(counts):
                if form in seen:  # the written treebank wins over the spoken one
                    continue
                best = min(counts[form].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                if simplemma.lemmatize(form, lang=chain[lang]).lower() != best:
                    table[form] = best
            seen.update(counts)
        path = OUT / f"lemmas_{lang}.tsv"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(
                f"# form\tlemma  (UD {lang} dev corrections over simplemma; scripts/build_lang_data.py)\n"
            )
            for form in sorted(table):
                fh.write(f"{form}\t{table[form]}\n")
        print(f"{path.relative_to(ROOT)}: {len(table)} forms", file=sys.stderr)


def langid_profiles(
    shared: Path,
    *,
    keep=None,
    wordfreq_tokens: dict | None = None,
    dictionary_weight: float = DICTIONARY_WEIGHT,
) -> dict:
    """N-gram profiles per language; ``keep(i)`` selects the UD/LIA sentences used (all by default)."""
    sys.path.insert(0, str(ROOT))
    import wordfreq

    from nlp.normalise.langid import char_ngrams, word_forms

    ud = shared / "data" / "ud"
    words: dict[str, Counter] = {lang: Counter() for lang in ("nb", "nn", "da", "sv", "en")}
    text_sources = {"nb": ["nb"], "nn": ["nn", "lia"], "da": ["da"]}
    for lang, names in text_sources.items():
        for name in names:
            for rel in UD_FILES[name]:
                for i, sent in enumerate(read_conllu(ud / rel)):
                    forms, upos = sent.forms, sent.upos
                    if keep is None or keep(i):
                        words[lang].update(word_forms(" ".join(f for f, u in zip(forms, upos) if u != "NUM")))
    lcc = shared / "data" / "lcc_sentiment_da"
    for path in sorted(lcc.glob("*.csv")):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, skipinitialspace=True):
                words["da"].update(word_forms(row.get("text") or ""))
    for lang in ("nb", "da", "sv", "en"):
        freq = wordfreq.get_frequency_dict(lang)
        top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:WORDFREQ_TOP]
        for w, f in top:
            if word_forms(w) == [w]:
                words[lang][w] += max(1, round(f * (wordfreq_tokens or {}).get(lang, WORDFREQ_TOKENS)))
    if dictionary_weight:
        # simplemma's dictionaries list the inflected forms of each language (nynorsk has no wordfreq list)
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        factory = DefaultDictionaryFactory()
        for lang in ("nb", "nn", "da", "sv", "en"):
            for form in sorted(factory.get_dictionary(lang).keys()):
                if word_forms(form) == [form]:
                    words[lang][form] += dictionary_weight
    profiles = {}
    for lang in sorted(words):
        grams: Counter = Counter()
        for w, c in words[lang].items():
            for g in char_ngrams(w):
                grams[g] += c
        grams = Counter({g: c for g, c in grams.items() if c >= NGRAM_MIN_COUNT})
        profiles[lang] = {"ngram_total": sum(grams.values()), "ngrams": dict(sorted(grams.items()))}
        print(f"langid {lang}: {len(grams)} n-grams", file=sys.stderr)
    return profiles


def build_langid(shared: Path) -> None:
    """``nlp/lang/langid.npz``: the profiles as arrays (loads in a few milliseconds; JSON took half a second)."""
    import numpy as np

    from nlp.normalise.langid import PROFILE_ARRAYS

    profiles = langid_profiles(shared)
    langs = sorted(profiles)
    grams = sorted(set().union(*(profiles[lang]["ngrams"] for lang in langs)))
    counts = np.array([[profiles[lang]["ngrams"].get(g, 0) for lang in langs] for g in grams], dtype=np.int64)
    totals = np.array([profiles[lang]["ngram_total"] for lang in langs], dtype=np.int64)
    path = OUT / "langid.npz"
    arrays = dict(zip(PROFILE_ARRAYS, (np.array(langs), np.array(grams), counts, totals)))
    np.savez_compressed(
        path,
        **arrays,
        source=np.array(
            "scripts/build_lang_data.py: UD dev (nb, nn, da), LIA train+dev (nn), LCC (da), wordfreq 3.x (nb, da, sv, en)"
        ),
    )
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


def build_lexicons() -> None:
    """simplemma's dictionaries as sorted, gzipped ``form<TAB>lemma`` lines (see ``nlp.normalise._Lexicon``)."""
    import gzip
    from importlib.metadata import version

    from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk

    from nlp.lang import LANGS
    from nlp.normalise.tokens import LEXICON_HEADER

    for lang in LANGS:
        table = _load_dictionary_from_disk(lang)
        lines = sorted(f"{k.decode()}\t{v.decode()}" for k, v in table.items())
        # bisection on whole lines needs every form free of characters that sort before the tab, and no newlines
        bad = [ln for ln in lines if min(ln.split("\t", 1)[0], default="\t") <= "\t" or "\n" in ln]
        if bad:
            raise SystemExit(f"simplemma {lang}: {len(bad)} entries cannot be stored, e.g. {bad[0]!r}")
        head = f"{LEXICON_HEADER} simplemma {version('simplemma')} {lang} ({len(lines)} forms)"
        path = OUT / f"lexicon_{lang}.tsv.gz"
        path.write_bytes(gzip.compress("\n".join([head, *lines]).encode("utf-8"), compresslevel=9, mtime=0))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--only", choices=["lemmas", "langid", "lexicons"], default=None)
    args = ap.parse_args()
    ud = args.shared / "data" / "ud"
    if args.only in (None, "lemmas"):
        build_lemmas(ud)
    if args.only in (None, "langid"):
        build_langid(args.shared)
    if args.only in (None, "lexicons"):
        build_lexicons()


if __name__ == "__main__":
    main()
