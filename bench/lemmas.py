#!/usr/bin/env python
"""Quality bench: lemma accuracy, filler detection and language id on held-out UD/LIA test splits.

Reads ``../shared/data/ud`` (set NLP_SHARED to move it). Nothing here was built from a test split: the lemma
corrections and the language profiles come from dev splits, LIA train+dev, LCC and wordfreq
(``scripts/build_lang_data.py``).

- Lemma accuracy, all tokens of the gold tokenisation, case-insensitive, punctuation lemmas ``$.`` read as ``.``;
  baselines in the same run: simplemma 2.x (nn with nb fallback) and spaCy ``blank(lang)`` with its lookup
  lemmatiser (tables from spacy-lookups-data, in the dev extra; nynorsk and LIA through the bokmål pipeline).
- Filler F1 on LIA test against gold ``discourse:filler`` (hesitations e/em and cut-off fragments).
- Language id accuracy per turn (sentence) alone, per turn with the transcript as prior, and per document
  (consecutive blocks of 20 sentences), among nb, nn, da, sv, en.

Run: ``.venv/bin/python bench/lemmas.py``
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _ud import read_conllu, spacy_lookup_lemmas, ud_file

from nlp.normalise.langid import identify_document, identify_language
from nlp.normalise.tokens import lemmatize, mark_fillers


def gold(form: str, lemma: str, upos: str) -> str:
    if upos == "PUNCT" and lemma.startswith("$"):
        lemma = lemma[1:] or form
    return lemma.lower()


def lemma_table() -> list[tuple]:
    import simplemma

    rows = []
    for name, lang, chain in [
        ("nb", "nb", "nb"),
        ("nn", "nn", ("nn", "nb")),
        ("da", "da", "da"),
        ("lia", "nn", ("nn", "nb")),
    ]:
        forms, golds = [], []
        for s in read_conllu(ud_file(name, "test")):
            for f, lem, u in zip(s.forms, s.lemmas, s.upos):
                if lem == "_":
                    continue
                forms.append(f)
                golds.append(gold(f, lem, u))
        n = len(forms)
        ours = lemmatize(forms, lang)
        acc_ours = sum(p.lower() == g for p, g in zip(ours, golds)) / n
        sm = [simplemma.lemmatize(f, lang=chain) for f in forms]
        acc_sm = sum(p.lower() == g for p, g in zip(sm, golds)) / n
        spacy_lemmas = spacy_lookup_lemmas(forms, lang)
        acc_spacy = sum(p == g for p, g in zip(spacy_lemmas, golds)) / n
        rows.append((f"{name} test", n, acc_spacy, acc_sm, acc_ours))
    return rows


def filler_scores() -> tuple[int, float, float, float, Counter]:
    tp = fp = fn = 0
    errors: Counter = Counter()
    for s in read_conllu(ud_file("lia", "test")):
        kinds = mark_fillers(s.forms, "nn")
        for f, k, rel in zip(s.forms, kinds, s.deprels):
            pred = k in ("filler", "cutoff")
            true = rel == "discourse:filler"
            tp += pred and true
            fp += pred and not true
            fn += true and not pred
            if pred != true:
                errors[("FP " if pred else "FN ") + f.lower()] += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return tp + fn, p, r, f1, errors


def langid_table(block: int = 20) -> list[tuple]:
    rows = []
    for name, lang in [("nb", "nb"), ("nn", "nn"), ("da", "da"), ("sv", "sv"), ("lia", "nn")]:
        sents = [s.text for s in read_conllu(ud_file(name, "test"))]
        alone = sum(identify_language(x) == lang for x in sents) / len(sents)
        docs = [sents[i : i + block] for i in range(0, len(sents), block)]
        results = [identify_document(d) for d in docs]
        ctx = sum(p == lang for _, per in results for p in per) / len(sents)
        doc = sum(d == lang for d, _ in results) / len(docs)
        rows.append((f"{name} test", lang, len(sents), alone, ctx, len(docs), doc))
    return rows


def klynger_langid() -> tuple[int, float, float]:
    """Thesis excerpts of the reference corpus (nb with a Danish article): alone and with the thesis as prior."""
    import json

    from _ud import SHARED

    n = alone = ctx = 0
    for path in sorted((SHARED / "corpus" / "annotations").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        _, per = identify_document([r["text"] for r in rows])
        for r, p in zip(rows, per):
            n += 1
            alone += identify_language(r["text"]) == r["lang"]
            ctx += p == r["lang"]
    return n, alone / n, ctx / n


def main() -> None:
    print("Lemma accuracy (UD/LIA test, all tokens, case-insensitive)")
    print(f"{'set':<10} {'tokens':>7} {'spaCy lookup':>12} {'simplemma':>10} {'ours':>7} {'gain':>6}")
    for name, n, spacy_acc, sm, ours in lemma_table():
        print(f"{name:<10} {n:>7} {spacy_acc:>12.3f} {sm:>10.3f} {ours:>7.3f} {ours - sm:>+6.3f}")
    n, p, r, f1, errors = filler_scores()
    print(f"\nFiller detection, LIA test (gold discourse:filler, n={n}): P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    print("  most frequent errors:", ", ".join(f"{k} ({v})" for k, v in errors.most_common(8)))
    print("\nLanguage id among nb, nn, da, sv, en (UD/LIA test; documents = blocks of 20 sentences)")
    print(f"{'set':<10} {'gold':<4} {'turns':>6} {'alone':>6} {'in doc':>7} {'docs':>5} {'doc acc':>8}")
    rows = langid_table()
    for name, lang, n, alone, ctx, nd, doc in rows:
        print(f"{name:<10} {lang:<4} {n:>6} {alone:>6.3f} {ctx:>7.3f} {nd:>5} {doc:>8.3f}")
    tot = sum(r[2] for r in rows)
    print(
        f"{'all':<10} {'':<4} {tot:>6} {sum(r[2] * r[3] for r in rows) / tot:>6.3f} "
        f"{sum(r[2] * r[4] for r in rows) / tot:>7.3f} {sum(r[5] for r in rows):>5} "
        f"{sum(r[5] * r[6] for r in rows) / sum(r[5] for r in rows):>8.3f}"
    )
    n, alone, ctx = klynger_langid()
    print(
        f"{'klynger':<10} {'nb/da':<5}{n:>6} {alone:>6.3f} {ctx:>7.3f}   (thesis excerpts, 20 Danish in nb theses)"
    )


if __name__ == "__main__":
    main()
