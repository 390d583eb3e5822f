"""Topic-model estimators: LDA (gensim) and NMF on TF-IDF (scikit-learn), with the scikit-learn contract.

Both take ``X`` = analyses (:class:`nlp.features.Analysis`; topic documents and units give theirs, strings are
analysed) and count their content lemmas with :class:`nlp.features.LemmaVectorizer`; ``analyzer`` may name another
term stream or be a callable analysis -> terms. ``fit`` learns ``feature_names_`` (the vocabulary in column order),
``components_`` (topics x words, raw weights) and ``topic_word_`` (rows sum to 1); ``transform`` returns the
document-topic matrix (rows sum to 1).

LDA uses gensim's single-process ``LdaModel`` with a fixed ``random_state``: ``LdaMulticore`` is not reproducible.
Guided LDA puts seed words into the topic-word Dirichlet prior ``eta`` (Jagarlamudi et al. 2012 use the same idea of
seeding topics with prior word mass), so seeded topics line up with the codebook's concepts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import ConfigError, DataWarning, InputError
from ..features import Analysis, LemmaVectorizer, as_analyses

__all__ = ["LdaTopics", "NmfTopics", "check_documents", "default_analyzer"]

Analyzer = Callable[[Analysis], list[str]]


def default_analyzer() -> str | Analyzer:
    """The term stream of topic models without an ``analyzer``: content lemmas (:class:`nlp.features.LemmaVectorizer`
    ``"lemmas"``: no stop words, fillers, punctuation, numbers, URLs)."""
    return "lemmas"


def check_documents(docs: Any) -> list[Analysis]:
    """``docs`` (analyses, topic documents, units or texts; not one string) as a list of analyses.

    Raises
    ------
    InputError
        For a single string or items of another type.
    """
    if isinstance(docs, (str, bytes)):
        raise InputError("expected a list of texts, got a single string.", fix="wrap it in a list: [text].")
    return as_analyses(docs)


class _TopicModel(TransformerMixin, BaseEstimator):
    """Shared vocabulary, validation and reporting for the topic models."""

    n_topics: int
    analyzer: str | Analyzer | None
    min_df: float | int
    max_df: float | int

    # --- analysis and vocabulary ---------------------------------------------------------------------------
    def build_vectorizer(self) -> LemmaVectorizer:
        """The (unfitted) counting of this model: its ``analyzer`` (or the default) and document-frequency bounds."""
        return LemmaVectorizer(
            analyzer=self.analyzer if self.analyzer is not None else default_analyzer(),
            min_df=self.min_df,
            max_df=self.max_df,
        )

    def terms(self, docs: Any) -> list[list[str]]:
        """The terms of each document as this model counts them (the references of coherence)."""
        vec = getattr(self, "vectorizer_", None) or self.build_vectorizer()
        return [vec.terms(a) for a in check_documents(docs)]

    def _fit_vocabulary(self, analyses: list[Analysis]) -> sparse.csr_matrix:
        n = len(analyses)
        if not isinstance(self.n_topics, (int, np.integer)) or self.n_topics < 1:
            raise ConfigError(
                f"n_topics must be a positive integer, got {self.n_topics!r}.", fix="pass --k 2 or more."
            )
        if n < 2:
            raise InputError(
                f"a topic model needs at least 2 documents, got {n}.",
                fix="give more transcripts, or a smaller --unit (segment instead of interview).",
            )
        self.vectorizer_ = self.build_vectorizer()
        X = self.vectorizer_.fit_transform(analyses)
        vocab = self.vectorizer_.get_feature_names_out().tolist()
        self.feature_names_ = np.array(vocab, dtype=object)
        self.vocabulary_ = dict(self.vectorizer_.vocabulary_)
        nonempty = n - self.vectorizer_.n_empty_documents_
        self.n_documents_ = n
        self.n_empty_documents_ = n - nonempty
        if self.n_topics > nonempty:
            raise InputError(
                f"{self.n_topics} topics were asked for, but only {nonempty} of {n} documents contain words after "
                "filtering.",
                fix=f"lower --k to at most {nonempty} (a few times fewer is better), or use a smaller "
                "--unit (segment or turn) to get more documents.",
            )
        if self.n_topics > len(vocab):
            raise InputError(
                f"{self.n_topics} topics were asked for, but the vocabulary has only {len(vocab)} words.",
                fix=f"lower --k to at most {len(vocab)} or lower --min-df.",
            )
        return X

    # --- reporting -------------------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(docs) first.")

    @property
    def topic_word_(self) -> np.ndarray:
        """Topic-word weights with rows normalised to sum to 1."""
        self._check_fitted()
        c = np.asarray(self.components_, dtype=np.float64)
        s = c.sum(axis=1, keepdims=True)
        return np.divide(c, s, out=np.full_like(c, 1.0 / c.shape[1]), where=s > 0)

    def top_words(self, n: int = 10) -> list[list[tuple[str, float]]]:
        """The ``n`` heaviest words of each topic with their normalised weights (ties broken alphabetically)."""
        tw = self.topic_word_
        out = []
        for row in tw:
            order = np.lexsort((self.feature_names_, -row))[:n]  # weight desc, then word asc
            out.append([(str(self.feature_names_[j]), float(row[j])) for j in order])
        return out

    def fit_transform(self, docs: Sequence[Analysis | str], y: Any = None, **params: Any) -> np.ndarray:
        return self.fit(docs, y).transform(docs)

    def _normalise_rows(self, m: np.ndarray, empty: np.ndarray) -> np.ndarray:
        s = m.sum(axis=1, keepdims=True)
        out = np.divide(m, s, out=np.zeros_like(m), where=s > 0)
        out[empty | (s[:, 0] <= 0)] = (
            1.0 / m.shape[1]
        )  # a document without vocabulary words: no evidence, uniform
        return out


class LdaTopics(_TopicModel):
    """Latent Dirichlet allocation (gensim ``LdaModel``), reproducible with ``random_state``.

    Parameters
    ----------
    n_topics
        Number of topics K.
    analyzer
        The terms counted: ``None`` (content lemmas), another :data:`nlp.features.ANALYZERS` name, or a callable
        analysis -> terms.
    min_df, max_df
        Keep words in at least ``min_df`` and at most ``max_df`` documents (int: count, float <= 1: fraction).
    alpha
        Document-topic prior, as gensim takes it (``"symmetric"``, ``"asymmetric"``, ``"auto"`` or a float).
    passes, iterations
        Passes over the corpus and inference iterations per document.
    seed_topics
        Guided LDA: mapping topic name -> seed words (lemmas) or a list of word lists. Topic ``i`` is seeded with the
        ``i``-th entry; seed words not in the vocabulary are ignored (see ``seed_words_used_``).
    seed_strength
        Prior pseudo-count added to a seed word in its topic (the base prior is ``1/n_topics``). On the klynger
        corpus (15 codebook topics) 1 barely guides (14 % of the seed words reach their topic's top 10), 10 puts
        93 % there; stronger priors trade coherence for alignment.
    random_state
        Seed for gensim; the same data and seed give the same model.

    Attributes
    ----------
    feature_names_, vocabulary_ : the vocabulary (column order) and word -> column.
    components_ : ndarray (n_topics, n_words), topic-word probabilities.
    topic_names_ : list of str or None, the seed-topic names (None for unseeded topics).
    seed_words_used_ : dict, seed words per seeded topic that were in the vocabulary.
    model_ : gensim.models.LdaModel.

    Examples
    --------
    >>> docs = ["fisk båt hav fisk", "båt hav fisk", "data sky program", "program data sky data"]
    >>> lda = LdaTopics(n_topics=2, analyzer="surface", min_df=1, passes=20, random_state=0).fit(docs)
    >>> lda.transform(docs).shape
    (4, 2)
    """

    def __init__(
        self,
        *,
        n_topics: int = 10,
        analyzer: str | Analyzer | None = None,
        min_df: float = 2,
        max_df: float = 0.5,
        alpha: str | float = "symmetric",
        passes: int = 20,
        iterations: int = 200,
        seed_topics: Mapping[str, Sequence[str]] | Sequence[Sequence[str]] | None = None,
        seed_strength: float = 10.0,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.analyzer = analyzer
        self.min_df = min_df
        self.max_df = max_df
        self.alpha = alpha
        self.passes = passes
        self.iterations = iterations
        self.seed_topics = seed_topics
        self.seed_strength = seed_strength
        self.random_state = random_state

    def _seed_list(self) -> list[tuple[str, list[str]]]:
        if self.seed_topics is None:
            return []
        if isinstance(self.seed_topics, Mapping):
            return [(str(k), [str(w) for w in v]) for k, v in self.seed_topics.items()]
        return [(f"seed_{i}", [str(w) for w in v]) for i, v in enumerate(self.seed_topics)]

    def _prior(self) -> np.ndarray | None:
        seeds = self._seed_list()
        self.topic_names_: list[str | None] = [None] * self.n_topics
        self.seed_words_used_: dict[str, list[str]] = {}
        if not seeds:
            return None
        if len(seeds) > self.n_topics:
            raise ConfigError(
                f"{len(seeds)} seed topics were given but only {self.n_topics} topics asked for.",
                fix=f"use --k {len(seeds)} or more, or fewer seed topics.",
            )
        if self.seed_strength <= 0:
            raise ConfigError(f"seed_strength must be positive, got {self.seed_strength}.")
        eta = np.full((self.n_topics, len(self.vocabulary_)), 1.0 / self.n_topics)
        missing = []
        for k, (name, words) in enumerate(seeds):
            self.topic_names_[k] = name
            used = sorted({w for w in words if w in self.vocabulary_})
            self.seed_words_used_[name] = used
            if not used:
                missing.append(name)
            for w in used:
                eta[k, self.vocabulary_[w]] += self.seed_strength
        if missing:
            warnings.warn(
                f"seed topics without any word in the vocabulary (left unguided): {', '.join(missing)}.",
                DataWarning,
                stacklevel=3,
            )
        return eta

    def fit(self, docs: Sequence[Analysis | str], y: Any = None) -> LdaTopics:
        """Learn the topics of ``docs`` (analyses, topic documents or texts); returns self."""
        from gensim.models import LdaModel

        X = self._fit_vocabulary(check_documents(docs))
        eta = self._prior()
        corpus = [
            list(
                zip(
                    X.indices[X.indptr[i] : X.indptr[i + 1]].tolist(),
                    X.data[X.indptr[i] : X.indptr[i + 1]].tolist(),
                )
            )
            for i in range(X.shape[0])
        ]
        id2word = dict(enumerate(self.feature_names_.tolist()))
        self.model_ = LdaModel(
            corpus=corpus,
            num_topics=self.n_topics,
            id2word=id2word,
            alpha=self.alpha,
            eta=eta,
            passes=self.passes,
            iterations=self.iterations,
            random_state=self.random_state,
            eval_every=None,
            dtype=np.float64,
        )
        self.components_ = self.model_.get_topics()
        return self

    def transform(self, docs: Sequence[Analysis | str]) -> np.ndarray:
        """Document-topic proportions (n_docs, n_topics), rows summing to 1.

        Each document is inferred on its own from the same seed, so a document's row does not depend on the other
        documents or on earlier calls.
        """
        self._check_fitted()
        X = self.vectorizer_.transform(check_documents(docs))
        out = np.zeros((X.shape[0], self.n_topics))
        for i in range(X.shape[0]):
            bow = list(
                zip(
                    X.indices[X.indptr[i] : X.indptr[i + 1]].tolist(),
                    X.data[X.indptr[i] : X.indptr[i + 1]].tolist(),
                )
            )
            if bow:
                self.model_.random_state = np.random.RandomState(self.random_state)
                gamma, _ = self.model_.inference([bow])
                out[i] = gamma[0]
        return self._normalise_rows(out, np.diff(X.indptr) == 0)


class NmfTopics(_TopicModel):
    """Non-negative matrix factorisation of the TF-IDF matrix (scikit-learn ``NMF``).

    Parameters
    ----------
    n_topics, analyzer, min_df, max_df, random_state
        As for :class:`LdaTopics`.
    init
        NMF initialisation; the default ``"nndsvdar"`` (SVD-based, zeros filled with small random values) is good
        and still depends on ``random_state``, so stability across seeds means something.
    beta_loss
        ``"frobenius"`` or ``"kullback-leibler"`` (the latter with the ``mu`` solver).
    max_iter
        Iterations of the solver.

    Examples
    --------
    >>> docs = ["fisk båt hav fisk", "båt hav fisk", "data sky program", "program data sky data"]
    >>> nmf = NmfTopics(n_topics=2, analyzer="surface", min_df=1, max_df=1.0, random_state=0).fit(docs)
    >>> [w for w, _ in nmf.top_words(1)[0]] in (["fisk"], ["data"])
    True
    """

    def __init__(
        self,
        *,
        n_topics: int = 10,
        analyzer: str | Analyzer | None = None,
        min_df: float = 2,
        max_df: float = 0.5,
        init: str = "nndsvdar",
        beta_loss: str = "frobenius",
        max_iter: int = 1000,
        seed_topics: None = None,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.analyzer = analyzer
        self.min_df = min_df
        self.max_df = max_df
        self.init = init
        self.beta_loss = beta_loss
        self.max_iter = max_iter
        self.seed_topics = seed_topics
        self.random_state = random_state

    def _nmf(self):
        from sklearn.decomposition import NMF

        solver = "mu" if self.beta_loss != "frobenius" else "cd"
        return NMF(
            n_components=self.n_topics,
            init=self.init,
            beta_loss=self.beta_loss,
            solver=solver,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def fit(self, docs: Sequence[Analysis | str], y: Any = None) -> NmfTopics:
        """Learn the topics of ``docs`` (analyses, topic documents or texts); returns self."""
        from sklearn.feature_extraction.text import TfidfTransformer

        if self.seed_topics:
            raise ConfigError(
                "guided (seeded) topics are only available for LDA.", fix="use --model lda with --guided."
            )
        counts = self._fit_vocabulary(check_documents(docs))
        self.topic_names_ = [None] * self.n_topics
        self.seed_words_used_ = {}
        self.tfidf_ = TfidfTransformer().fit(counts)
        X = self.tfidf_.transform(counts)
        self.model_ = self._nmf()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # nndsvdar on tiny inputs warns about init
            self.model_.fit(X)
        self.components_ = self.model_.components_
        self.reconstruction_err_ = float(self.model_.reconstruction_err_)
        return self

    def transform(self, docs: Sequence[Analysis | str]) -> np.ndarray:
        """Document-topic proportions (n_docs, n_topics): the NMF weights of each document, normalised to sum 1."""
        self._check_fitted()
        counts = self.vectorizer_.transform(check_documents(docs))
        W = self.model_.transform(self.tfidf_.transform(counts))
        return self._normalise_rows(np.asarray(W, dtype=np.float64), np.diff(counts.indptr) == 0)
