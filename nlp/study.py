"""The main job: a whole study on a coded corpus, from overview to report.

:func:`run_study` runs every stage on one corpus with the settings a researcher would choose first, writes each
stage's own outputs into a sub-folder of ``out_dir`` (the same files the single verbs write), and builds the
:class:`~nlp.report.Report` from the results:

1. corpus overview (units per transcript, language, codes and polarity per coder);
2. preprocessing (language per transcript and turn, tokens, lemmas, fillers);
3. topics (K sweep with coherence and stability, summaries, prevalence, topic x code association);
4. the auto-coder: grouped, repeated cross-validation of the reference coder's coding, per-code quality with
   bootstrap intervals over interviews, learning curve, explanations; the final model is saved;
5. agreement of the cross-validated machine coding and of a second coder with the reference coder, and a plain
   verdict per code and for polarity (how far the machine's coding can be trusted, against cited cut-offs, beside
   the second coder's figure);
6. the segments the model is least sure of (what to code or review next);
7. a REFI-QDA project with the machine codes, for review in NVivo, ATLAS.ti or MAXQDA;
8. a glossary of the figures in plain words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .agreement.comparison import coder_notes, compare, describe_groups
from .agreement.machine import machine_coding
from .agreement.render import NAMES, methods_paragraph, write_comparison
from .agreement.verdicts import DO_NOT_USE, alpha_verdict, kappa_label, machine_advice, small_sample_note
from .classify import save_coder, suggest, top_features, train_from_units
from .classify.train import DEFAULT_MODEL, abstain_summary, coded_units, cv_notes, quality_rows
from .corpora import Corpus, describe
from .errors import InputError
from .model import Unit, atomic_write_text, json_line, write_jsonl
from .normalise.preprocess import PreprocessStats, preprocess_transcripts
from .plots import new_figure, plot_bars, plot_heatmap, plot_learning_curve, save_figure
from .pseudonymise.replace import check_pseudonymised
from .refi import write_qdpx
from .report import Figure, Quote, Report, Section, Table, write_report
from .segment import left_out_text
from .topics import run_topics, write_topic_outputs

__all__ = ["StudySettings", "run_study"]


@dataclass(frozen=True)
class StudySettings:
    """What the study does. The reference coder is a scientific choice and has no default; the other defaults are
    the first choices for interview excerpts of a few sentences."""

    reference: str
    second_coder: str | None = "coder2"
    model: str | None = None  # auto-coder configuration; None: the measured default
    topic_model: str = "nmf"  # NMF is more coherent and stable than LDA on short excerpts (bench/topics.py)
    k_range: str = "4:16:2"  # topic numbers to compare
    topic_seeds: int = 3  # seeds for the stability score
    topic_passes: int = 20
    folds: int = 5
    repeats: int = 3
    learning_curve: bool = True
    n_boot: int = 1000
    n_suggest: int = 15
    random_state: int = 0
    require_pseudonymised: bool = False


def _overview(corpus: Corpus, units: Sequence[Unit]) -> str:
    groups = describe_groups(corpus.transcripts, units)
    kinds = "; ".join(f"{k}: {n}" for k, n in sorted(groups["kinds"].items(), key=lambda kv: (-kv[1], kv[0])))
    what = {
        "segment": "as the data define them",
        "transcript": "one per transcript group",
        "transcript id": "one per transcript",
    }[groups["from"]]
    docs = "".join(
        f" ({n} of the transcripts {'is' if n == 1 else 'are each'} {d})"
        for d, n in groups["documents"].items()
    )
    return (
        f"Corpus {corpus.name!r}: {len(units)} units in {len(corpus.transcripts)} transcripts{docs}, "
        f"{groups['n']} groups of units ({what}{': ' + kinds if kinds else ''}), the unit of resampling and of "
        f"cross-validation folds. Coders: {', '.join(corpus.coders)}. Codebook {corpus.codebook.name!r} with "
        f"{len(corpus.codebook)} codes and polarity {', '.join(corpus.codebook.polarity)}."
    )


def _provenance(corpus: Corpus) -> list[str]:
    notes = coder_notes(corpus.transcripts, corpus.coders)
    if not notes:
        return []
    return [
        "Who coded (as the corpus records it): "
        + "; ".join(f"{k}: {v}" for k, v in notes.items())
        + ". The second coder's figures below are the agreement of a second, independent coding with the "
        "reference."
    ]


def _rows(table: list[list[Any]]) -> Table:
    return Table(columns=[str(c) for c in table[0]], rows=table[1:])


def run_study(
    corpus: Corpus,
    out_dir: str | Path,
    *,
    settings: StudySettings,
    progress: Callable[[str], None] = lambda message: None,
    fit_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Run the whole study on ``corpus`` and write every output and the report into ``out_dir``.

    Returns the :class:`~nlp.report.Report` (already written as ``report.html`` and ``report.md``). ``progress``
    gets a message as each stage starts; ``fit_progress(done, total)`` counts the models fitted within the long
    stages (the topic sweep, the auto-coder's cross-validation), e.g. for a progress bar.
    """
    s = settings
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = out / "figures"
    if s.require_pseudonymised:
        check_pseudonymised(corpus.transcripts)
    units = corpus.units()
    coded = coded_units(units, coder=s.reference)
    if not coded:
        raise InputError(
            f"no unit of corpus {corpus.name!r} is coded by {s.reference!r}.",
            fix=f"pick the reference coder among {', '.join(corpus.coders) or '(none)'}.",
        )
    sections: list[Section] = []

    # 1. overview -------------------------------------------------------------------------------------------
    progress("corpus overview")
    tables = describe(corpus)
    atomic_write_text(out / "corpus.json", json.dumps(tables, ensure_ascii=False, indent=2) + "\n")
    sections.append(
        Section(
            title="Corpus overview",
            anchor="corpus",
            paragraphs=[_overview(corpus, units), *_provenance(corpus)],
            tables=[
                Table(columns=[str(c) for c in v[0]], rows=v[1:], caption=k.replace("_", " ").capitalize())
                for k, v in tables.items()
                if k != "cooccurrence" and not k.startswith("cooccurrence")
            ],
        )
    )

    # 2. preprocessing -------------------------------------------------------------------------------------
    progress("preprocessing: language, tokens, lemmas, fillers")
    stats = PreprocessStats()
    write_jsonl(out / "preprocessed.jsonl", preprocess_transcripts(corpus.transcripts, stats=stats))
    pre_rows = stats.rows()
    sections.append(
        Section(
            title="Preprocessing",
            anchor="preprocessing",
            paragraphs=[
                (
                    "Language identified per transcript and per turn; tokens, lemmas and flags for stop words, "
                    "fillers, backchannels and cut-off words per segment (preprocessed.jsonl). Topic models and the "
                    "auto-coder work on the content lemmas; placeholders such as [navn] stay single tokens."
                )
            ],
            tables=[
                Table(
                    columns=list(pre_rows[0]) if pre_rows else ["lang"],
                    rows=[list(r.values()) for r in pre_rows],
                    caption="Per language",
                )
            ],
        )
    )

    # 3. topics ---------------------------------------------------------------------------------------------
    progress("topic models (K sweep)")
    topic_run = run_topics(
        corpus.units(include_interviewer=True),  # run_topics leaves out (and counts) what is not content
        codebook=corpus.codebook,
        model=s.topic_model,
        k_range=s.k_range,
        seeds=s.topic_seeds,
        passes=s.topic_passes,
        coder=s.reference,
        random_state=s.random_state,
        fit_progress=fit_progress,
    )
    write_topic_outputs(topic_run.summary, out / "topics", sweep=topic_run.sweep)
    sections.append(_topic_section(topic_run, out / "topics"))

    # 4. auto-coder -----------------------------------------------------------------------------------------
    model_name = s.model or DEFAULT_MODEL
    progress(f"auto-coder: grouped {s.folds}-fold cross-validation x{s.repeats} ({model_name})")
    fitted, meta = train_from_units(
        units,
        coder=s.reference,
        codebook=corpus.codebook,
        model=model_name,
        n_splits=s.folds,
        n_repeats=s.repeats,
        curve=s.learning_curve,
        random_state=s.random_state,
        keep_predictions=True,
        progress=fit_progress,
        transfer=2 <= len(corpus.transcripts) <= 10,
        min_confidence=0.0,  # never abstain: the agreement section compares a polarity for every coded segment
    )
    oof = meta["cross_validation"].pop("predictions")
    save_coder(fitted, out / "model", codebook=corpus.codebook, meta=meta)
    machine = f"auto-cv ({model_name})"
    with_machine = machine_coding(corpus.transcripts, coded, oof, coder=machine)

    # 5. agreement ------------------------------------------------------------------------------------------
    progress("agreement with the manual coding (bootstrap over groups)")
    others = [machine] + ([s.second_coder] if s.second_coder and s.second_coder in corpus.coders else [])
    comparison = compare(
        with_machine,
        unit="segment",
        reference=s.reference,
        others=others,
        codebook=corpus.codebook,
        n_boot=s.n_boot,
        random_state=s.random_state,
    )
    write_comparison(comparison, out / "agreement")
    cv = meta.get("cross_validation", {})
    second = s.second_coder if s.second_coder in comparison.others else None
    sections.append(
        _coder_section(
            cv,
            meta.get("learning_curve", []),
            comparison,
            machine,
            top_features(fitted, n=8),
            figures,
            polarity_model=meta["training"]["polarity_model"],
            meta=meta,
        )
    )
    sections.append(_verdict_section(comparison, machine, second))
    sections.append(_agreement_section(comparison, machine, second, methods_paragraph(comparison)))

    # 6. what to code next ----------------------------------------------------------------------------------
    progress("segments to code or review next")
    coded_ids = {u.id for u in coded}
    uncoded = [u for u in units if u.id not in coded_ids]
    pool, pool_kind = (
        (uncoded, "not yet coded") if uncoded else (coded, "coded, where the model is least sure")
    )
    picks = suggest(fitted, pool, n=s.n_suggest)
    atomic_write_text(out / "suggestions.jsonl", "".join(map(json_line, picks)))
    sections.append(
        Section(
            title="What to code next",
            anchor="suggest",
            paragraphs=[
                (
                    f"The {len(picks)} segments ({pool_kind}) whose coding would help the model most: where it is "
                    "least certain of polarity and of the codes near their thresholds, spread over different "
                    "content. `nlp suggest MODEL FILES` gives the same list for new interviews."
                )
            ],
            quotes=[
                Quote(
                    text=p["text"],
                    attribution=f"{p['id']} ({p.get('source') or ''})",
                    note=f"uncertainty {p['uncertainty']:.2f}",
                )
                for p in picks
            ],
        )
    )

    # 7. REFI-QDA export ------------------------------------------------------------------------------------
    progress("REFI-QDA project with the machine codes")
    qdpx = out / f"{corpus.name}.qdpx"
    write_qdpx(qdpx, with_machine, corpus.codebook, name=f"{corpus.name} with auto-codes")
    sections.append(
        Section(
            title="Review in NVivo, ATLAS.ti or MAXQDA",
            anchor="export",
            paragraphs=[
                (
                    f"{qdpx.name} holds the texts, the codebook (with polarity as a code group), the manual codes "
                    f"of {', '.join(corpus.coders)} and the cross-validated machine codes as user {machine!r}. "
                    "Import it with File > Import > REFI-QDA project."
                )
            ],
        )
    )

    sections.append(_glossary_section())
    report = Report(
        title=f"Interview analysis: {corpus.name}",
        subtitle=f"{len(units)} units, {len(corpus.transcripts)} transcripts, reference coder "
        f"{s.reference}; every figure can be reproduced with ./scripts/demo.",
        sections=sections,
    )
    write_report(report, out)
    return report


def _topic_section(run: Any, folder: Path) -> Section:
    summary = run.summary
    q = summary.quality
    paras = [
        f"{summary.model['type']} with K = {len(summary.topics)} topics on {summary.n_documents} documents "
        f"(one per segment), chosen by a sweep over K of coherence (c_npmi, c_v on our own lemmatised texts), "
        f"diversity and stability across seeds. Coherence c_npmi {q['c_npmi']:.3f}, c_v {q['c_v']:.3f}, "
        f"diversity {q['diversity']:.3f}"
        + ("" if run.stability is None else f", stability {run.stability:.3f}")
        + ". Left out as not interview content (interviewer turns, one- or two-word turns, contact details, "
        f"headers): {left_out_text(run.not_content)}."
    ]
    if summary.codes.get("nmi") is not None:
        paras.append(
            f"Association with the manual codes: NMI {summary.codes['nmi']:.3f} between dominant topic and "
            "code (the topic x code table is in topics/topic_codes.csv)."
        )
    rows = [
        [t["id"], t["label"], t["prevalence"], " ".join(w["word"] for w in t["words"][:8])]
        for t in summary.topics
    ]
    subsections = []
    for t in summary.topics:
        subsections.append(
            Section(
                title=f"Topic {t['id']}: {t['label']}",
                anchor=f"topic-{t['id']}",
                quotes=[
                    Quote(
                        text=e["text"],
                        attribution=f"{e.get('speaker') or 'unknown speaker'}, {e['transcript_id']}",
                        note=f"weight {e['weight']:.2f}",
                    )
                    for e in t["excerpts"][:3]
                ],
            )
        )
    figures = [
        Figure(path=folder / name, caption=caption)
        for name, caption in (
            ("k_sweep.png", "Choosing K: coherence, stability and diversity against the number of topics"),
            ("top_words.png", "Top words per topic"),
            ("prevalence_case.png", "Topic prevalence by group of units (informant, section or transcript)"),
            ("topic_codes.png", "Topics against the manual codes"),
        )
        if (folder / name).exists()
    ]
    return Section(
        title="Topics",
        anchor="topics",
        paragraphs=paras,
        tables=[Table(columns=["topic", "label", "prevalence", "top words"], rows=rows)],
        figures=figures,
        subsections=subsections,
    )


def _coder_section(
    cv: dict,
    curve: list,
    comparison: Any,
    machine: str,
    features: dict,
    figures: Path,
    *,
    polarity_model: dict[str, Any],
    meta: dict[str, Any] | None = None,
) -> Section:
    meta = meta or {}
    verdicts = meta.get("reliability", {}).get("codes", {})
    rows = quality_rows(cv) if cv else []
    boot = {r["code"]: r for r in comparison.per_code if r["other"] == machine}
    table = Table(
        columns=[
            "code",
            "n (reference)",
            "precision",
            "recall",
            "F1",
            "F1 95% CI",
            "kappa",
            "kappa 95% CI",
            "verdict",
            "note",
        ],
        rows=[
            [
                r["code"],
                r["support"],
                r["precision"],
                r["recall"],
                r["f1"],
                _ci(boot.get(r["code"], {}).get("f1_ci_low"), boot.get(r["code"], {}).get("f1_ci_high")),
                r["kappa"],
                _ci(
                    boot.get(r["code"], {}).get("kappa_ci_low"), boot.get(r["code"], {}).get("kappa_ci_high")
                ),
                verdicts.get(r["code"], {}).get("verdict", ""),
                r["note"] or "",
            ]
            for r in rows
        ],
        caption="Cross-validated quality per code (machine vs reference coder): the figures `nlp train` "
        "prints and saves in model/meta.json",
    )
    figs = []
    fig = new_figure(6.5, 0.3 * len(rows) + 1.2)
    plot_bars(
        fig.add_subplot(1, 1, 1),
        [r["code"] for r in rows],
        [_num(r["f1"]) for r in rows],
        title="F1 per code (cross-validated)",
    )
    fig.tight_layout()
    figs.append(
        Figure(path=save_figure(fig, figures / "f1_per_code.png"), caption="F1 per code, cross-validated")
    )
    conf = comparison.confusion.get(machine)
    if conf:
        figs.append(
            Figure(
                path=plot_heatmap(
                    conf["matrix"],
                    [f"ref: {x}" for x in conf["labels"]],
                    [f"machine: {x}" for x in conf["labels"]],
                    figures / "polarity_confusion.png",
                    title="Polarity confusion matrix",
                    value_format="{:.0f}",
                ),
                caption="Polarity: reference coder (rows) against the cross-validated machine (columns)",
            )
        )
    if curve:
        figs.append(
            Figure(
                path=plot_learning_curve(curve, figures / "learning_curve.png"),
                caption="Learning curve: quality against the number of coded groups of units",
            )
        )
    paras = []
    if cv:
        notes = cv_notes(cv)
        paras.append(
            f"{notes[0][0].upper()}{notes[0][1:]}, never with the same group in training and test ({cv['n_groups']} "
            f"groups): concepts macro-F1 {cv['macro']['f1']:.3f}, micro-F1 {cv['micro']['f1']:.3f}; polarity "
            f"macro-F1 {cv['polarity']['macro_f1']:.3f}, kappa {cv['polarity']['kappa']:.3f}. Figures are means over "
            "the repetitions, the same as `nlp train` prints; the intervals per code are 95% bootstrap intervals over "
            "groups of the first repetition's out-of-fold codes (the coding compared in the agreement section)."
        )
        paras += [f"Warning: {n}." for n in notes[1:]]
        if "codes_per_unit" in cv:
            paras.append(
                f"Codes per segment: {cv['codes_per_unit']['model']:.2f} by the machine, "
                f"{cv['codes_per_unit']['reference']:.2f} by the reference coder. Concept codes come from "
                f"{meta.get('training', {}).get('concept_source', 'the model')} (cues: the codebook's cue "
                "words; union: the cue words plus the model's codes of probability 0.5 or more)."
            )
    loso = meta.get("leave_one_study_out")
    if loso:
        paras.append(
            f"Leaving one study (transcript) out in turn ({loso['studies']} studies), the figure that answers how well "
            f"the auto-coder will tag a NEW study: concepts micro-F1 {loso['micro']['f1']:.3f} (precision "
            f"{loso['micro']['precision']:.3f}, {loso['codes_per_unit']:.2f} codes per segment), polarity kappa "
            f"{loso['polarity']['kappa']:.3f}, macro-F1 {loso['polarity']['macro_f1']:.3f}. The grouped "
            "cross-validation above keeps every study on both sides of each fold, so it measures tagging more of "
            "the same study."
        )
    rel = meta.get("reliability")
    if rel:
        withheld = [c for c, v in rel["codes"].items() if v["verdict"] == DO_NOT_USE]
        paras.append(
            f"Reliability verdicts ({rel['cutoffs']}): polarity: {rel['polarity']['verdict']}. "
            + (
                f"`nlp tag` does not give {', '.join(withheld)} unless asked (--all-codes): their "
                "cross-validated kappa is below 0.21 or undefined (slight or no agreement with the coder), and "
                "each tagged segment names the codes it withheld and why."
                if withheld
                else "Every code may be used or suggested."
            )
        )
    abstain = meta.get("training", {}).get("abstain")
    if abstain and abstain.get("chosen_by") == "inner grouped CV":
        paras.append(
            f"Abstaining: {abstain_summary(abstain)}. A withheld polarity is left for the researcher; "
            "`nlp tag --abstain P` sets another probability."
        )
    elif abstain:
        paras.append(
            f"Abstaining: this model gives a polarity to every segment (abstain probability {abstain['value']:g}, "
            "set rather than chosen), so that the agreement figures below cover every coded segment. `nlp train` "
            "chooses the abstain probability in its inner grouped cross-validation (the lowest that raises "
            "polarity kappa on the answered segments by 0.02 or more while withholding at most 20%), and `nlp tag "
            "--abstain P` sets one."
        )
    if meta.get("training", {}).get("uninformative_codes"):
        paras.append(
            "Never given by the model, because its cross-validated probability was the same for every segment: "
            + ", ".join(meta["training"]["uninformative_codes"])
            + "."
        )
    pm = polarity_model
    paras.append(
        f"Polarity model: multinomial logistic regression, C {pm['C']:g}, class weight "
        f"{pm['class_weight'] or 'none'}, sentence pooling {'on' if pm['sentence_pooling'] else 'off'} (with "
        "pooling, the most polar sentence of a multi-sentence segment counts beside the whole segment)"
        + (
            "; these were chosen by polarity kappa in an inner grouped cross-validation on the training data."
            if pm["chosen_by_inner_cv"]
            else "."
        )
    )
    feature_rows = [[code, ", ".join(w for w, _ in words[:8])] for code, words in features.items()]
    paras.append(
        "Top features are the words with the largest weight for each code (function words left out; a "
        "word fragment the model uses is shown as a word that contains it). They show what the model "
        "reacts to, which is not always what the code means."
    )
    return Section(
        title="Auto-coder quality",
        anchor="autocoder",
        paragraphs=paras,
        tables=[
            table,
            Table(
                columns=["code", "words that weigh most for it"],
                rows=feature_rows,
                caption="What the model looks at (top features)",
            ),
        ],
        figures=figs,
    )


def _who(other: str, machine: str, second: str | None) -> str:
    if other == machine:
        return "the machine's agreement (cross-validated)"
    if other == second:
        return "the second coder's agreement"
    return "all coders" if other == "all" else f"{other}'s agreement"


def _agreement_section(comparison: Any, machine: str, second: str | None, methods: str) -> Section:
    rows = []
    for st in comparison.stats:
        if st.name in (
            "cohen_kappa",
            "krippendorff_alpha",
            "gwet_ac1",
            "percent_agreement",
            "micro_f1",
            "macro_f1",
        ):
            rows.append(
                [
                    st.target,
                    _who(st.other, machine, second),
                    NAMES.get(st.name, st.name),
                    st.value,
                    _ci(st.ci_low, st.ci_high),
                    st.n_units,
                ]
            )
    intro = (
        f"The reference coder is {comparison.reference}. The machine's line is its cross-validated coding (each "
        f"unit coded by a model that never saw that unit's group)"
        + (
            f"; the second coder's line ({second}) is the agreement of an independent second coding with the "
            "reference, the yardstick for the machine."
            if second
            else "."
        )
    )
    return Section(
        title="Agreement with the manual coding",
        anchor="agreement",
        paragraphs=[intro, methods, *comparison.warnings[:8]],
        tables=[
            Table(
                columns=["target", "whose agreement", "coefficient", "value", "95% CI", "n"],
                rows=rows,
                caption="The machine's and the second coder's agreement with the reference coder",
            )
        ],
    )


def _verdict_section(comparison: Any, machine: str, second: str | None) -> Section:
    """A plain verdict per code and for polarity: how far the machine's coding can be trusted."""

    def alpha(target: str, other: str | None) -> tuple[float, float]:
        if other is None:
            return math.nan, math.nan
        try:
            st = comparison.get(target, "krippendorff_alpha", other)
        except KeyError:
            return math.nan, math.nan
        return st.value, st.ci_low

    rows, advice = [], []
    m_alpha, _ = alpha("polarity", machine)
    s_alpha, s_low = alpha("polarity", second)
    try:
        m_kappa = comparison.get("polarity", "cohen_kappa", machine)
        n_pol = m_kappa.n_units
    except KeyError:
        m_kappa, n_pol = None, 0
    if m_kappa is not None:
        say = machine_advice(m_alpha, second_alpha=s_alpha if second else None, second_ci_low=s_low)
        rows.append(
            [
                "polarity",
                m_alpha,
                alpha_verdict(m_alpha),
                m_kappa.value,
                kappa_label(m_kappa.value),
                s_alpha,
                say,
                small_sample_note(n_pol, comparison.n_groups) or "",
            ]
        )
        advice.append(f"Polarity: the machine is {say}.")
    by_second = {r["code"]: r for r in comparison.per_code if r["other"] == second}
    suggestions = []
    for r in comparison.per_code:
        if r["other"] != machine:
            continue
        sec = by_second.get(r["code"], {})
        s_a = sec.get("krippendorff_alpha", math.nan) if second else None
        say = machine_advice(r["krippendorff_alpha"], second_alpha=s_a)
        used = r["n_reference"] + r["n_other"] - r["n_both"]
        rows.append(
            [
                r["code"],
                r["krippendorff_alpha"],
                alpha_verdict(r["krippendorff_alpha"]),
                r["cohen_kappa"],
                kappa_label(r["cohen_kappa"]),
                math.nan if s_a is None else s_a,
                say,
                small_sample_note(used, comparison.n_groups, what="units with the code") or "",
            ]
        )
        if say.startswith("well below"):
            suggestions.append(r["code"])
    paras = [
        (
            "Verdicts use Krippendorff's alpha against Krippendorff's (2004) cut-offs: 0.800 or more reliable, "
            "0.667 to 0.800 only for tentative conclusions, below 0.667 not reliable; the kappa label is Landis and "
            "Koch's (1977) convention (slight, fair, moderate, substantial, almost perfect). The second coder's "
            "alpha stands beside the machine's: agreement between two codings is the most that can be expected "
            "of a machine trained on one of them."
        ),
        *advice,
    ]
    if suggestions:
        paras.append(
            f"For {len(suggestions)} codes the machine is well below the second coder "
            f"({', '.join(suggestions)}): use its codes for these as suggestions for review, not as "
            "coding."
        )
    return Section(
        title="How far the machine's coding can be trusted",
        anchor="verdict",
        paragraphs=paras,
        tables=[
            Table(
                columns=[
                    "code",
                    "machine alpha",
                    "verdict (Krippendorff 2004)",
                    "machine kappa",
                    "kappa (Landis & Koch 1977)",
                    "second coder's alpha",
                    "what to do",
                    "note",
                ],
                rows=rows,
                caption="Verdict per code and for polarity (cross-validated machine vs reference)",
            )
        ],
    )


#: Plain-word meanings of the figures in the report.
GLOSSARY = (
    (
        "Percent agreement",
        (
            "The share of units two codings label the same. Easy to read, but part of it would "
            "happen by chance, more so for very rare or very common codes."
        ),
    ),
    (
        "Cohen's kappa (κ)",
        (
            "Agreement corrected for chance: 1 is perfect, 0 is what chance alone gives, below 0 worse "
            "than chance. Chance is estimated from each coder's own label rates."
        ),
    ),
    (
        "Krippendorff's alpha (α)",
        (
            "A chance-corrected agreement like kappa that works for any number of coders and "
            "missing codes; 0.8 or more counts as reliable, 0.667 to 0.8 as tentative "
            "(Krippendorff 2004)."
        ),
    ),
    (
        "Scott's pi, Fleiss' kappa",
        (
            "Chance-corrected agreement with chance estimated from the coders' pooled label "
            "rates; Fleiss' kappa is for more than two coders (here on units every coder "
            "coded)."
        ),
    ),
    (
        "Gwet's AC1",
        (
            "A chance-corrected agreement that stays stable when one label dominates, where kappa can be low "
            "despite high agreement (the 'kappa paradox')."
        ),
    ),
    (
        "Brennan-Prediger, PABAK",
        (
            "Chance-corrected agreement that assumes every label is equally likely by chance; "
            "with two labels it is PABAK (prevalence- and bias-adjusted kappa)."
        ),
    ),
    (
        "Conger's kappa",
        "Cohen's kappa extended to more than two coders (chance from each coder's own rates).",
    ),
    (
        "Prevalence index",
        (
            "How much more often a code is present than absent (or the reverse) across both codings; "
            "near -1 or +1 the code is very rare or very common and kappa is pushed down."
        ),
    ),
    (
        "Bias index",
        (
            "How much more often one coder uses a code than the other; it limits the kappa that can be "
            "reached."
        ),
    ),
    ("Precision", "Of the units the machine gave a code, the share the reference coder also gave it."),
    ("Recall", "Of the units the reference coder gave a code, the share the machine found."),
    (
        "F1",
        (
            "The balance (harmonic mean) of precision and recall, from 0 to 1. Micro-F1 pools all codes, so "
            "frequent codes weigh more; macro-F1 averages the codes equally."
        ),
    ),
    (
        "Cross-validation",
        (
            "Testing the machine on units it was not trained on: the groups are split into folds, and "
            "each fold is coded by a model trained on the others."
        ),
    ),
    (
        "95% CI (bootstrap)",
        (
            "A range of plausible values: the figure recomputed on many resamples of the groups of "
            "units (not of single units, which are not independent)."
        ),
    ),
    (
        "Effective number of groups",
        (
            "How many equally large groups the actual, unequal groups are worth (Kish). "
            "With few effective groups the intervals are rough."
        ),
    ),
    (
        "c_npmi, c_v",
        (
            "Topic coherence: whether a topic's top words tend to occur together in the texts (c_npmi from "
            "-1 to 1, c_v from 0 to 1; higher is more coherent)."
        ),
    ),
    (
        "Diversity, stability",
        (
            "Diversity: the share of distinct words among all topics' top words. Stability: how "
            "similar the topics are when the model is fitted again with another seed."
        ),
    ),
    ("NMI", "Normalised mutual information between topics and codes: 0 unrelated, 1 the same grouping."),
)


def _glossary_section() -> Section:
    return Section(
        title="Glossary",
        anchor="glossary",
        paragraphs=["What the figures in this report mean, in plain words."],
        tables=[Table(columns=["term", "meaning"], rows=[list(r) for r in GLOSSARY])],
    )


def _missing(v: Any) -> bool:
    return v is None or math.isnan(v)


def _num(v: Any) -> float:
    return 0.0 if _missing(v) else float(v)


def _ci(lo: Any, hi: Any) -> str:
    if _missing(lo) or _missing(hi):
        return "n/a"
    return f"{lo:.2f}–{hi:.2f}"
