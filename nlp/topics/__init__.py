"""Topic models of interview units, with the tools to choose K and to read, cite and compare the topics.

- :class:`LdaTopics` (gensim LDA, optionally guided by seed words) and :class:`NmfTopics` (NMF on TF-IDF):
  scikit-learn estimators on plain lists of strings.
- :func:`make_documents`: segments, speaker turns, windows of segments or whole interviews as documents.
- :func:`coherence`, :func:`topic_diversity`, :func:`topic_stability`, :func:`sweep_topics`: quality and the K sweep.
- :func:`codebook_seed_topics`: seed words from the codebook and the manual coding (guided topics).
- :func:`summarize_topics` and :func:`write_topic_outputs`: labels, top words, excerpts, prevalence, association
  with the manual codes, written as JSON, CSV, Markdown and plots.

Examples
--------
>>> docs = ["fisk båt hav fisk", "båt hav fisk", "data sky program", "program data sky data"]
>>> lda = LdaTopics(n_topics=2, analyzer="surface", min_df=1, passes=20, random_state=0).fit(docs)
>>> sorted(w for w, _ in lda.top_words(3)[0]) in (["båt", "fisk", "hav"], ["data", "program", "sky"])
True
"""

from .documents import DOC_UNITS, TopicDocument, make_documents
from .guided import codebook_seed_topics, distinctive_words
from .models import LdaTopics, NmfTopics, check_documents, default_analyzer
from .output import render_markdown, write_topic_outputs
from .pipeline import TopicRun, run_topics
from .quality import (
    SweepResult,
    coherence,
    match_topics,
    parse_k_range,
    recommend_k,
    sweep_topics,
    topic_diversity,
    topic_stability,
)
from .summary import PREVALENCE_BY, TopicSummary, summarize_topics, weighted_nmi

__all__ = [
    "DOC_UNITS",
    "PREVALENCE_BY",
    "LdaTopics",
    "NmfTopics",
    "SweepResult",
    "TopicDocument",
    "TopicRun",
    "TopicSummary",
    "check_documents",
    "codebook_seed_topics",
    "coherence",
    "default_analyzer",
    "distinctive_words",
    "make_documents",
    "match_topics",
    "parse_k_range",
    "recommend_k",
    "render_markdown",
    "run_topics",
    "summarize_topics",
    "sweep_topics",
    "topic_diversity",
    "topic_stability",
    "weighted_nmi",
    "write_topic_outputs",
]
