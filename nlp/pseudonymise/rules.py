"""Rule-based detection of identifying spans for :mod:`nlp.pseudonymise` (no trained model, fully offline).

Contact details (e-mail, URL, phone, postal code with place, fødselsnummer with mod-11 check, Danish CPR) are found
by patterns; names of people, firms and places by capitalised runs weighed with context rules (titles, informant
labels, citation form, company-form suffixes, street/place suffixes, locative prepositions), word-frequency evidence
(``wordfreq`` nb/da: a capitalised word that is not a common word) and the project's own vocabulary (a word that the
project never writes in lower case). Language data lives in :mod:`nlp.lang.names`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..lang import names as L

__all__ = [
    "KINDS",
    "NAME_KINDS",
    "PLACEHOLDER_RE",
    "Entity",
    "detect_entities",
    "detect_patterns",
    "lowercase_vocabulary",
    "protected_spans",
    "valid_cpr",
    "valid_fodselsnummer",
]

#: Entity kinds and the placeholder stem each gets (``[person_3]``).
KINDS = ("person", "firma", "sted", "navn", "epost", "telefon", "url", "postnr", "fnr", "cpr")
#: Kinds found from capitalised words (the rest are contact details found by patterns).
NAME_KINDS = ("person", "firma", "sted", "navn")
#: A placeholder written by this tool.
PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(KINDS) + r")_\d+\]")

_UP = "A-ZÆØÅÄÖÜÉ"
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[-'’](?=[^\W\d_]))*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<![.-])")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"()]+[^\s<>\"().,;:!?'’]|"
    r"(?<![\w@/.-])[\w-]+(?:\.[\w-]+)*\.(?:no|dk|se|com|org|net|eu|info|io)(?:/[^\s<>\"()]*[^\s<>\"().,;:!?])?"
    r"(?![\w@-])"
)
# Norwegian/Danish 8-digit numbers: 12345678, 12 34 56 78, 123 45 678, 1234 5678, with +47/+45/0047/0045 prefix
_PHONE = re.compile(
    r"(?<![\w+/.,-])(?:(?:\+|00)(?:47|45)[ -]?)?"
    r"(?:\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}|\d{3}[ -]\d{2}[ -]\d{3}|\d{4}[ -]\d{4}|\d{8})"
    r"(?![\w/-]|[.,]\d)"
)
_PHONE_PREFIXED = re.compile(r"(?:\+|00)(?:47|45)[ -]?\d")
_FNR = re.compile(r"(?<![\w.,-])(\d{6})[ ]?(\d{5})(?![\w-])")
_CPR = re.compile(r"(?<![\w.,-])(\d{2})(\d{2})(\d{2})-(\d{4})(?![\w-])")
_POSTNR = re.compile(rf"(?<![\w.,/-])(\d{{4}})[ \t]+([{_UP}][\w-]+(?:[ \t]+[{_UP}][\w-]*)?)")
_CITATION_AFTER = re.compile(
    rf"^(?:\s*(?:,|og|and|&|i)\s*[{_UP}][\w'’-]+)*\s*(?:mfl\.?|m\.fl\.?|et al\.?)?\s*,?\s*\(?\s*"
    r"(?:1[89]\d\d|20\d\d|u\.å\.?)[a-z]?\b"
)
_ORG_SUFFIX_AFTER = re.compile(
    r"^[ \t]+("
    + "|".join(re.escape(s) for s in sorted(L.ORG_SUFFIXES, key=len, reverse=True))
    + r")(?![\w/])"
)
_ORG_SUFFIX_HERE = re.compile(
    "("
    + "|".join(re.escape(s) for s in sorted(L.ORG_SUFFIXES, key=len, reverse=True) if s[0].isupper())
    + r")(?![\w/])"
)
_HOUSE_NUMBER = re.compile(r"[ \t]+\d{1,4}(?:[ \t]?[A-Za-z])?(?![\w,.]?\d)")
_INITIAL_SKIP = " \t\"'«»“”‘’(*•◻–-"

COMMON_ZIPF = 4.8  # a word at least this frequent (per wordfreq) is a common word, not a name
RARE_ZIPF = 3.0  # below this a capitalised word is rare enough to be a name on its own


@dataclass(frozen=True)
class Entity:
    """An identifying span ``text[start:end]`` of a kind in :data:`KINDS`, with the rule that found it."""

    start: int
    end: int
    kind: str
    text: str
    rule: str = ""


# --- contact details by pattern -----------------------------------------------------------------------------------


def valid_fodselsnummer(digits: str) -> bool:
    """Norwegian fødselsnummer / D-number: 11 digits, a plausible date and both mod-11 check digits.

    Examples
    --------
    >>> valid_fodselsnummer("01010112377"), valid_fodselsnummer("01010112376")
    (True, False)
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    day, month = int(digits[0:2]), int(digits[2:4])
    if day > 40:  # D-number
        day -= 40
    if month > 40:  # H-number / synthetic test numbers
        month -= 40
    if month > 80:
        month -= 80
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    k1 = 11 - sum(a * b for a, b in zip(w1, d[:9], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != d[9]:
        return False
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k2 = 11 - sum(a * b for a, b in zip(w2, d[:10], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return k2 != 10 and k2 == d[10]


def valid_cpr(text: str) -> bool:
    """Danish CPR number ``DDMMYY-XXXX`` with a valid day and month (the mod-11 check was dropped in 2007).

    Examples
    --------
    >>> valid_cpr("010190-1234"), valid_cpr("320190-1234")
    (True, False)
    """
    m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})-(\d{4})", text)
    if not m:
        return False
    day, month = int(m.group(1)), int(m.group(2))
    return 1 <= day <= 31 and 1 <= month <= 12


def detect_patterns(text: str) -> list[Entity]:
    """E-mail addresses, URLs, national identity numbers, phone numbers and postal codes with a place name."""
    found: list[Entity] = []
    for m in _EMAIL.finditer(text):
        found.append(Entity(m.start(), m.end(), "epost", m.group(), "email"))
    for m in _URL.finditer(text):
        found.append(Entity(m.start(), m.end(), "url", m.group(), "url"))
    for m in _FNR.finditer(text):
        if valid_fodselsnummer(m.group(1) + m.group(2)):
            found.append(Entity(m.start(), m.end(), "fnr", m.group(), "fnr-mod11"))
    for m in _CPR.finditer(text):
        if valid_cpr(m.group()):
            found.append(Entity(m.start(), m.end(), "cpr", m.group(), "cpr"))
    for m in _PHONE.finditer(text):
        s = m.group()
        digits = re.sub(r"\D", "", s)
        prefixed = bool(_PHONE_PREFIXED.match(s))
        if not prefixed and digits[0] in "01":
            continue  # Norwegian and Danish subscriber numbers do not start with 0 or 1
        found.append(Entity(m.start(), m.end(), "telefon", s, "phone"))
    for m in _POSTNR.finditer(text):
        code = int(m.group(1))
        place = m.group(2)
        first = place.split()[0]
        if 1900 <= code <= 2039 and not (first in L.PLACE_NAMES or place.isupper()):
            continue  # most likely a year ("i 2005 Hedmark"), unless the place is known or written in capitals
        if _zipf(first) >= COMMON_ZIPF and first not in L.PLACE_NAMES:
            continue
        found.append(Entity(m.start(), m.end(), "postnr", m.group(), "postal-code"))
    return _resolve(found)


# --- names --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    w = word.lower()
    return max(zipf_frequency(w, "nb"), zipf_frequency(w, "da"))


def lowercase_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Words the project writes in lower case (evidence that a capitalised form is an ordinary word).

    Words inside e-mail addresses and URLs do not count (``kari.hansen@firma.no`` is no evidence that "hansen" is
    an ordinary word).
    """
    vocab: set[str] = set()
    for text in texts:
        text = _URL.sub(" ", _EMAIL.sub(" ", text))
        vocab.update(m.group() for m in _WORD.finditer(text) if m.group()[0].islower())
    return frozenset(vocab)


def protected_spans(text: str, keep: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans never replaced: this tool's placeholders, the theses' placeholders and the user's keep phrases."""
    spans = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    rx = _phrases_rx(
        tuple(sorted({p for p in (*L.EXISTING_PLACEHOLDERS, *keep) if p}, key=lambda p: (-len(p), p)))
    )
    if rx is not None:
        spans.extend((m.start(), m.end()) for m in rx.finditer(text))
    return sorted(spans)


@lru_cache(maxsize=32)
def _phrases_rx(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word matcher of phrases, longest first (compiled once per list: keep lists are long)."""
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")


def _sentence_initial(text: str, pos: int) -> bool:
    """Whether a capital at ``pos`` may only mark the start of a sentence, a line of a table or a heading.

    A line break after a lower-case word or a comma is a wrapped line (PDF text), not a new sentence; after a
    capitalised word (a heading, a name that ends the line) the next line starts anew.
    """
    i = pos - 1
    while i >= 0 and text[i] in _INITIAL_SKIP:
        i -= 1
    if i < 0:
        return True
    c = text[i]
    if c == "\n" or c == "\r":
        j = i - 1
        while j >= 0 and text[j] in " \t\r":
            j -= 1
        if j < 0:
            return True
        b = text[j]
        k = j
        while k > 0 and (text[k - 1].isalpha() or text[k - 1] in "-'’"):
            k -= 1
        return not ((b.islower() and not text[k].isupper()) or b in ",&")
    return c in ".!?:" or c.isdigit()


def _prev_word(text: str, pos: int) -> str:
    m = re.search(r"([\w./]+)[ \t\n]*$", text[max(0, pos - 40) : pos])
    return m.group(1).lower() if m else ""


def _proper_evidence(tok: str, vocab: frozenset[str]) -> bool:
    """A capitalised token that is not an ordinary word: never written in lower case and not frequent."""
    if tok in L.COMMON_ABBREVIATIONS:
        return False
    if tok in L.GIVEN_NAMES or tok in L.SURNAMES or tok in L.PLACE_NAMES:
        return True
    low = tok.lower()
    if len(tok) > 6 and low.endswith(L.ORG_WORD_ENDINGS):
        return True
    if tok.isupper():
        return len(tok) >= 2 and low not in vocab and _zipf(low) < 4.0
    if low in vocab:
        return False
    return _zipf(low) < COMMON_ZIPF


def _is_acronym(tok: str) -> bool:
    return len(tok) >= 2 and tok.isupper()


#: Strength of the rule that gave a kind; the project-wide vote weighs a surface's kinds by it.
RULE_WEIGHT = {
    "org-suffix": 5,
    "org-lead": 4,
    "org-word": 4,
    "title": 4,
    "given-name": 4,
    "surname": 3,
    "citation": 3,
    "user-list": 9,
    "place-list": 3,
    "org-place": 3,
    "acronym": 2,
    "place-suffix": 2,
    "locative": 1,
    "capitalised": 0,
    "consistency": 0,
}


def _kind_of_run(toks: list[str], after: str, prev: str, suffix: str | None) -> tuple[str, str]:
    if suffix:
        return "firma", "org-suffix"
    last = toks[-1]
    if last in L.ORG_HEADS or any(len(t) > 6 and t.lower().endswith(L.ORG_WORD_ENDINGS) for t in toks):
        return "firma", "org-word"
    if prev in L.TITLES or prev in L.PERSON_LABELS or prev.rstrip(":") in L.PERSON_LABELS:
        return "person", "title"
    if toks[0] in L.GIVEN_NAMES and (len(toks) > 1 or not _is_acronym(toks[0])):
        return "person", "given-name"
    if any(t in L.SURNAMES for t in toks):
        return "person", "surname"
    if _CITATION_AFTER.match(after) and not _is_acronym(last):
        return "person", "citation"
    if re.match(r"^-(?:" + "|".join(L.PLACE_COMPOUND_TAILS) + r")\b", after):
        return "sted", "place-suffix"
    places = [t in L.PLACE_NAMES for t in toks]
    if any(places) and not all(places):
        return "firma", "org-place"  # "Røros Metall", "Innovasjon Norge", "Visit Lillehammer"
    if any(places):
        return "sted", "place-list"
    if all(_is_acronym(t) for t in toks):
        return "firma", "acronym"
    if len(last) > 5 and last.lower().endswith(L.PLACE_SUFFIXES) and _zipf(last) < RARE_ZIPF:
        return "sted", "place-suffix"
    if prev in L.LOCATIVE_PREPOSITIONS:
        return "sted", "locative"
    return "navn", "capitalised"


def detect_entities(
    text: str,
    *,
    names: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
    vocabulary: frozenset[str] | None = None,
) -> list[Entity]:
    """Find identifying spans in one text (no cross-file consistency; see :func:`nlp.pseudonymise.pseudonymise`).

    Parameters
    ----------
    text
        The text.
    names
        Surface forms that are always replaced, mapped to their kind (``{"Kari Hansen": "person"}``).
    keep
        Phrases never replaced (``"Innovasjon Norge"``).
    vocabulary
        Words the project writes in lower case (:func:`lowercase_vocabulary`); by default this text's own.

    Returns
    -------
    list of Entity
        Non-overlapping, sorted by start.

    Examples
    --------
    >>> [(e.text, e.kind) for e in detect_entities("Vi snakket med Kari Hansen i Røros Metall AS i går.")]
    [('Kari Hansen', 'person'), ('Røros Metall AS', 'firma')]
    """
    keep = tuple(keep)
    vocab = lowercase_vocabulary([text]) if vocabulary is None else vocabulary
    protected = protected_spans(text, keep)
    patterns = detect_patterns(text)
    found = list(patterns)
    blocked = sorted([(e.start, e.end) for e in patterns] + protected)
    found.extend(_detect_names(text, vocab, blocked))
    if names:
        found.extend(find_surfaces(text, names, rule="user-list"))
    return _resolve(found, protected)


def _tokens(text: str, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word tokens; a hyphen compound whose tail is lower case is split ("ARMS-prosjektet" -> "ARMS", ...)."""
    out = []
    for m in _WORD.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in blocked):
            out.append((-1, -1))  # a barrier: no run crosses an e-mail, URL, number or kept phrase
            continue
        start = m.start()
        for n, part in enumerate(re.finditer(r"[^-]+", m.group())):
            a, b = start + part.start(), start + part.end()
            if n and text[a].isupper():
                out[-1] = (out[-1][0], b)  # "Midt-Gudbrandsdalen", "Ffowcs-Williams" stay one token
            else:
                out.append((a, b))
    return out


_GAP = re.compile(
    r"[ \t]+"
)  # a name never runs across a line break (the next line is another heading or turn)


def _detect_names(text: str, vocab: frozenset[str], blocked: list[tuple[int, int]]) -> list[Entity]:
    toks = _tokens(text, blocked)
    out: list[Entity] = []
    i = 0
    while i < len(toks):
        a, b = toks[i]
        if a < 0 or not text[a].isupper():
            i += 1
            continue
        run = [(a, b)]
        j = i + 1
        while (
            j < len(toks)
            and toks[j][0] >= 0
            and text[toks[j][0]].isupper()
            and _GAP.fullmatch(text[run[-1][1] : toks[j][0]])
        ):
            run.append(toks[j])
            j += 1
        i = j
        out.extend(_name_from_run(text, run, vocab))
    out.extend(_org_suffix_backwards(text, toks, vocab))
    return out


def _name_from_run(text: str, run: list[tuple[int, int]], vocab: frozenset[str]) -> list[Entity]:
    def word(t: tuple[int, int]) -> str:
        return text[t[0] : t[1]]

    # a company form inside the run ("Vestjysk Stål ApS", "Dansk Plast A/S") ends it
    suffix_in_run = None
    for n in range(1, len(run)):
        m = _ORG_SUFFIX_HERE.match(text, run[n][0])
        if m:
            suffix_in_run = m
            run = run[:n]
            break
    # a title or label inside the run ("Daglig leder Kari", "Informant Per") is context, not name
    while run and (word(run[0]).lower() in L.TITLES or word(run[0]).lower() in L.PERSON_LABELS):
        run = run[1:]
    # drop leading ordinary words whose capital only marks a sentence start (a cited author is kept)
    cited_run = bool(_CITATION_AFTER.match(text[run[-1][1] : run[-1][1] + 60])) if run else False
    # a company form after the run makes a rare first word part of the firm ("Thyborøn Stålkonstruktion A/S")
    firm_form = bool(run) and (
        suffix_in_run is not None or bool(_ORG_SUFFIX_AFTER.match(text[run[-1][1] : run[-1][1] + 20]))
    )
    while (
        run
        and _sentence_initial(text, run[0][0])
        and not cited_run
        and not _strong_initial(text, run, vocab)
        and not (
            firm_form
            and len(run) > 1
            and word(run[0]).lower() not in vocab
            and _zipf(word(run[0])) < COMMON_ZIPF
        )
    ):
        run = run[1:]
    # drop trailing ordinary words that merely follow a name on a new line or in a heading
    while (
        run
        and not _proper_evidence(word(run[-1]), vocab)
        and word(run[-1]) not in L.ORG_HEADS
        and word(run[-1]) not in L.ORG_LEADS
    ):
        run = run[:-1]
    if not run:
        return []
    toks = [word(t) for t in run]
    start, end = run[0][0], run[-1][1]
    after = text[end : end + 60]
    cited = bool(_CITATION_AFTER.match(after)) and all(
        len(t) > 2 and t not in L.COMMON_ABBREVIATIONS for t in toks
    )
    if not cited and not any(_proper_evidence(t, vocab) for t in toks):
        return []
    rule_override = None
    lead = re.match(
        r"^[ \t]*(" + "|".join(L.ORG_CONNECTORS) + r")[ \t]*"
        r"([A-ZÆØÅ][\w-]*(?:[ \t]+[A-ZÆØÅ][\w-]*)*)",
        after,
    )
    if lead and toks[0] in L.ORG_LEADS:
        end += lead.end()
        rule_override = ("firma", "org-lead")
    suffix = _ORG_SUFFIX_AFTER.match(text[end : end + 20])
    if suffix:
        end += suffix.end()
    elif suffix_in_run is not None and not rule_override:
        suffix = suffix_in_run
        end = suffix_in_run.end()
    prev = _prev_word(text, start)
    kind, rule = rule_override or _kind_of_run(
        toks, text[end : end + 60], prev, suffix.group(1) if suffix else None
    )
    if kind == "sted" and toks[-1].lower().endswith(L.STREET_SUFFIXES):
        number = _HOUSE_NUMBER.match(
            text, end
        )  # "Havnegata 14", "Havnevej 22B": the address, not only the street
        if number:
            end = number.end()
    return [Entity(start, end, kind, text[start:end], rule)]


def _org_suffix_backwards(text: str, toks: list[tuple[int, int]], vocab: frozenset[str]) -> list[Entity]:
    """Organisation names that contain lower-case words before their company form ("Norsk senter for ... AS")."""
    out = []
    for m in re.finditer(r"(?<=[ \t])(ASA|AS|A/S|ApS)(?![\w/])", text):
        k = next((n for n, t in enumerate(toks) if t[0] >= m.start()), len(toks))
        best = None
        for n in range(k - 1, max(k - 6, -1), -1):
            a, b = toks[n]
            if a < 0 or not re.fullmatch(r"[ \t]*", text[b : (toks[n + 1][0] if n + 1 < k else m.start())]):
                break
            w = text[a:b]
            if n == k - 1 and w[0].isupper():
                break  # a capitalised run right before the suffix is handled by the run rule
            if w[0].isupper():
                if w in L.ORG_LEADS or _proper_evidence(w, vocab) or not _sentence_initial(text, a):
                    best = a
                break
        if best is not None:
            out.append(Entity(best, m.end(), "firma", text[best : m.end()], "org-suffix"))
    return out


def _strong_initial(text: str, run: list[tuple[int, int]], vocab: frozenset[str]) -> bool:
    """Whether a sentence-initial token is a name anyway: a listed name, or rare and never written in lower case."""
    tok = text[run[0][0] : run[0][1]]
    if tok in L.GIVEN_NAMES or tok in L.SURNAMES or tok in L.PLACE_NAMES:
        return True
    low = tok.lower()
    return low not in vocab and _zipf(low) < RARE_ZIPF and len(run) > 1


def find_surfaces(text: str, surfaces: Mapping[str, str], *, rule: str = "consistency") -> list[Entity]:
    """Every whole-word occurrence of the given surface forms (longest first), as entities of their kinds."""
    if not surfaces:
        return []
    ordered = sorted(surfaces, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in ordered) + r")(?!\w)")
    return [Entity(m.start(), m.end(), surfaces[m.group()], m.group(), rule) for m in rx.finditer(text)]


_PRIORITY = {"epost": 0, "url": 1, "fnr": 2, "cpr": 2, "telefon": 3, "postnr": 4}


def _resolve(found: list[Entity], protected: Iterable[tuple[int, int]] = ()) -> list[Entity]:
    """Non-overlapping entities: contact patterns first, then the longest; nothing inside a protected span."""
    blocked = sorted(protected)
    chosen: list[Entity] = []
    for e in sorted(found, key=lambda e: (_PRIORITY.get(e.kind, 9), -(e.end - e.start), e.start)):
        if e.end <= e.start:
            continue
        if any(s < e.end and e.start < t for s, t in blocked):
            continue
        if any(c.start < e.end and e.start < c.end for c in chosen):
            continue
        chosen.append(e)
    return sorted(chosen, key=lambda e: e.start)
