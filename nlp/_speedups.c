/* C versions of the preprocessing hot loops (module nlp._speedups).
 *
 * Each function gives exactly the result of a pure-Python reference that stays in the package and is used when this
 * module was not built (no C compiler at install time):
 *   annotate_span    nlp.preprocess._annotate_span_python (nlp.normalise.token_spans, then one cached
 *                    (lemma, flag) lookup per token)
 *   word_forms       nlp.langid._word_forms_python       (lower-cased letter words)
 *   span_word_rows   nlp.langid.LanguageIdentifier.span_scores without it (word_forms of each span, word rows)
 *   word_rows        nlp.langid.LanguageIdentifier._lookup_python
 *   ngram_sums       nlp.langid.LanguageIdentifier._ngram_sums_python (equal up to the order of additions)
 *   Lexicon          nlp.normalise._Lexicon.get           (simplemma's dictionary by bisection)
 * tests/test_speedups.py checks each pair on generated and real text. Character classes are those of Python's re
 * module for str patterns: \s is str.isspace, \d is str.isdecimal, \w is str.isalnum or "_".
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* text[lo:n] of a str, read as a text of its own: nothing before lo or from n on is seen */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t lo, n;
    int has_at; /* the text has an "@": only then can an e-mail address match */
} Text;

#define AT(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

/* ASCII classes: bit 1 word (\w), bit 2 decimal digit (\d), bit 4 space (\s) */
static unsigned char ascii_class[128];

static void init_ascii_class(void) {
    for (int c = 0; c < 128; c++) {
        unsigned char v = 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') v |= 1;
        if (c >= '0' && c <= '9') v |= 2;
        if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) v |= 4;
        ascii_class[c] = v;
    }
}

static inline int is_word(Py_UCS4 c) {
    if (c < 128) return ascii_class[c] & 1;
    return Py_UNICODE_ISALNUM(c);
}

static inline int is_digit(Py_UCS4 c) {
    if (c < 128) return ascii_class[c] & 2;
    return Py_UNICODE_ISDECIMAL(c);
}

static inline int is_space(Py_UCS4 c) {
    if (c < 128) return ascii_class[c] & 4;
    return Py_UNICODE_ISSPACE(c);
}

/* [^\W\d_]: a word character that is neither a decimal digit nor "_" */
static inline int is_letter(Py_UCS4 c) {
    if (c < 128) return (ascii_class[c] & 3) == 1 && c != '_';
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int word_at(const Text *t, Py_ssize_t i) { return i >= t->lo && i < t->n && is_word(AT(t, i)); }

static inline int starts_with(const Text *t, Py_ssize_t i, const char *s) {
    for (; *s; s++, i++) {
        if (i >= t->n || AT(t, i) != (Py_UCS4)(unsigned char)*s) return 0;
    }
    return 1;
}

/* Each matcher returns the end of its alternative's match at pos, or -1. */

/* x: \[[^\[\]\s][^\[\]\n]{0,39}\]  |  (?<!\w)X{2,}(?!\w) */
static Py_ssize_t match_placeholder(const Text *t, Py_ssize_t pos) {
    Py_UCS4 c = AT(t, pos);
    if (c == '[') {
        if (pos + 1 >= t->n) return -1;
        Py_UCS4 c1 = AT(t, pos + 1);
        if (c1 == '[' || c1 == ']' || is_space(c1)) return -1;
        Py_ssize_t j = pos + 2, limit = pos + 2 + 39;
        while (j < t->n && j < limit) {
            Py_UCS4 d = AT(t, j);
            if (d == '[' || d == ']' || d == '\n') break;
            j++;
        }
        return (j < t->n && AT(t, j) == ']') ? j + 1 : -1;
    }
    if (c == 'X' && !word_at(t, pos - 1)) {
        Py_ssize_t j = pos;
        while (j < t->n && AT(t, j) == 'X') j++;
        if (j - pos >= 2 && !word_at(t, j)) return j;
    }
    return -1;
}

/* [^\s<>"] and [^\s<>".,;:!?)\]] */
static inline int url_char(Py_UCS4 c) { return !(is_space(c) || c == '<' || c == '>' || c == '"'); }

static inline int url_last_char(Py_UCS4 c) {
    return url_char(c) && !(c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' ||
                            c == ']');
}

static inline int email_local_char(Py_UCS4 c) { return is_word(c) || c == '.' || c == '+' || c == '-'; }

/* u: (?:https?://|www\.)[^\s<>"]+[^\s<>".,;:!?)\]]  |  (?=[\w.+-]{1,64}@)[\w.+-]+@[\w-]+\.[\w.-]*\w */
static Py_ssize_t match_url(const Text *t, Py_ssize_t pos) {
    Py_ssize_t j = -1;
    if (starts_with(t, pos, "http")) {
        Py_ssize_t k = pos + 4;
        if (k < t->n && AT(t, k) == 's') k++;
        if (starts_with(t, k, "://")) j = k + 3;
    } else if (starts_with(t, pos, "www.")) {
        j = pos + 4;
    }
    if (j >= 0) {
        Py_ssize_t e = j;
        while (e < t->n && url_char(AT(t, e))) e++;
        /* the run gives back characters until its last one may end a URL; one character must stay before it */
        for (Py_ssize_t k = e - 1; k >= j + 1; k--) {
            if (url_last_char(AT(t, k))) return k + 1;
        }
    }
    /* e-mail address */
    if (!t->has_at) return -1;
    Py_ssize_t e = pos;
    while (e < t->n && email_local_char(AT(t, e))) e++;
    if (e == pos || e - pos > 64 || e >= t->n || AT(t, e) != '@') return -1;
    Py_ssize_t d = e + 1, d0 = d;
    while (d < t->n && (is_word(AT(t, d)) || AT(t, d) == '-')) d++;
    if (d == d0 || d >= t->n || AT(t, d) != '.') return -1;
    Py_ssize_t s = d + 1, r = s;
    while (r < t->n && (is_word(AT(t, r)) || AT(t, r) == '.' || AT(t, r) == '-')) r++;
    for (Py_ssize_t k = r - 1; k >= s; k--) {
        if (is_word(AT(t, k))) return k + 1;
    }
    return -1;
}

/* a: (?<!\w)(?:[^\W\d_]{1,4}\.){2,}(?!\w) */
static Py_ssize_t match_dotted(const Text *t, Py_ssize_t pos) {
    if (word_at(t, pos - 1)) return -1;
    Py_ssize_t j = pos;
    int groups = 0;
    for (;;) {
        Py_ssize_t k = j;
        while (k < t->n && k - j < 5 && is_letter(AT(t, k))) k++;
        if (k == j || k - j > 4 || k >= t->n || AT(t, k) != '.') break;
        j = k + 1;
        groups++;
    }
    return (groups >= 2 && !word_at(t, j)) ? j : -1;
}

/* n: \d+(?:[.,:]\d+)*(?:-[^\W\d_]\w*)? */
static Py_ssize_t match_number(const Text *t, Py_ssize_t pos) {
    if (!is_digit(AT(t, pos))) return -1;
    Py_ssize_t j = pos;
    while (j < t->n && is_digit(AT(t, j))) j++;
    while (j + 1 < t->n) {
        Py_UCS4 c = AT(t, j);
        if (!((c == '.' || c == ',' || c == ':') && is_digit(AT(t, j + 1)))) break;
        j++;
        while (j < t->n && is_digit(AT(t, j))) j++;
    }
    if (j + 1 < t->n && AT(t, j) == '-' && is_letter(AT(t, j + 1))) {
        j += 2;
        while (j < t->n && is_word(AT(t, j))) j++;
    }
    return j;
}

static inline int word_joiner(Py_UCS4 c) { return c == '-' || c == '\'' || c == 0x2019; }

/* w: [^\W\d_]\w*(?:[-'’]\w+)*-? */
static Py_ssize_t match_word(const Text *t, Py_ssize_t pos) {
    if (!is_letter(AT(t, pos))) return -1;
    Py_ssize_t j = pos + 1;
    while (j < t->n && is_word(AT(t, j))) j++;
    while (j + 1 < t->n && word_joiner(AT(t, j)) && is_word(AT(t, j + 1))) {
        j += 2;
        while (j < t->n && is_word(AT(t, j))) j++;
    }
    if (j < t->n && AT(t, j) == '-') j++;
    return j;
}

static inline int dash(Py_UCS4 c) { return c == '-' || c == 0x2013 || c == 0x2014; }

/* p: \.{2,}|[-–—]{2,}|\w|[^\w\s] */
static Py_ssize_t match_punct(const Text *t, Py_ssize_t pos) {
    Py_UCS4 c = AT(t, pos);
    Py_ssize_t j = pos;
    if (c == '.') {
        while (j < t->n && AT(t, j) == '.') j++;
        if (j - pos >= 2) return j;
    } else if (dash(c)) {
        while (j < t->n && dash(AT(t, j))) j++;
        if (j - pos >= 2) return j;
    }
    return is_space(c) ? -1 : pos + 1;
}

/* The end of the token at pos (the first alternative of _TOKEN that matches), or -1 (pos is a space). */
static Py_ssize_t match_token(const Text *t, Py_ssize_t pos) {
    Py_ssize_t e;
    Py_UCS4 c = AT(t, pos);
    if ((c == '[' || c == 'X') && (e = match_placeholder(t, pos)) >= 0) return e;
    if ((c == 'h' || c == 'w' || email_local_char(c)) && (e = match_url(t, pos)) >= 0) return e;
    if (is_letter(c)) {
        if ((e = match_dotted(t, pos)) >= 0) return e;
        return match_word(t, pos);
    }
    if ((e = match_number(t, pos)) >= 0) return e;
    return match_punct(t, pos);
}

static int text_init_span(Text *t, PyObject *s, Py_ssize_t start, Py_ssize_t end) {
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(s)->tp_name);
        return -1;
    }
    if (start < 0 || end < start || end > PyUnicode_GET_LENGTH(s)) {
        PyErr_SetString(PyExc_IndexError, "span out of range");
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0) return -1;
#endif
    t->kind = PyUnicode_KIND(s);
    t->data = PyUnicode_DATA(s);
    t->lo = start;
    t->n = end;
    t->has_at = start < end && PyUnicode_FindChar(s, '@', start, end, 1) >= 0;
    return 0;
}

static int text_init(Text *t, PyObject *s) {
    return text_init_span(t, s, 0, PyUnicode_Check(s) ? PyUnicode_GET_LENGTH(s) : 0);
}

/* Is the lower-cased token plus "." in the set of single-period abbreviations? */
static int abbreviation_with_dot(PyObject *token, PyObject *abbreviations) {
    PyObject *low = PyObject_CallMethod(token, "lower", NULL);
    if (low == NULL) return -1;
    PyObject *dotted = PyUnicode_FromFormat("%U.", low);
    Py_DECREF(low);
    if (dotted == NULL) return -1;
    int found = PySet_Contains(abbreviations, dotted);
    Py_DECREF(dotted);
    return found;
}

static int append_steal(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

/* ---- CodepointMap: a cache keyed by the characters of a span of some text, so that a token or word is looked up
 * without making a str of it. A value is a Python object (a token's (lemma, flag) pair) or a number (a word's row).
 * Keys are kept as UCS4 in one growing arena. */
typedef struct {
    uint64_t hash; /* 0: empty slot */
    uint32_t off, len;
    PyObject *value;
    Py_ssize_t number;
} MapSlot;

typedef struct {
    PyObject_HEAD
    MapSlot *slots;
    Py_ssize_t cap, used, max_used;
    Py_UCS4 *arena;
    Py_ssize_t arena_len, arena_cap;
} CodepointMap;

/* the characters of a key: text[a:b], lower-cased by Py_UNICODE_TOLOWER or not */
typedef struct {
    const Text *t;
    Py_ssize_t a, b;
    int lower;
} Key;

static inline Py_UCS4 lower_char(Py_UCS4 c) {
    if (c < 128) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return Py_UNICODE_TOLOWER(c);
}

static inline Py_UCS4 key_char(const Key *k, Py_ssize_t i) {
    Py_UCS4 c = AT(k->t, k->a + i);
    return k->lower ? lower_char(c) : c;
}

static uint64_t key_hash(const Key *k) {
    uint64_t h = 1469598103934665603ull;
    for (Py_ssize_t i = 0; i < k->b - k->a; i++) h = (h ^ key_char(k, i)) * 1099511628211ull;
    h ^= h >> 31;
    return h ? h : 1;
}

/* the slot holding the key, or the empty slot where it would go */
static MapSlot *map_slot(CodepointMap *m, const Key *k, uint64_t hash) {
    Py_ssize_t len = k->b - k->a;
    for (uint64_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        MapSlot *slot = &m->slots[i];
        if (slot->hash == 0) return slot;
        if (slot->hash == hash && slot->len == len) {
            const Py_UCS4 *stored = m->arena + slot->off;
            Py_ssize_t j = 0;
            while (j < len && stored[j] == key_char(k, j)) j++;
            if (j == len) return slot;
        }
    }
}

static int map_grow(CodepointMap *m) {
    Py_ssize_t cap = m->cap * 2;
    MapSlot *slots = PyMem_Calloc(cap, sizeof(MapSlot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < m->cap; i++) {
        if (m->slots[i].hash == 0) continue;
        uint64_t j = m->slots[i].hash & (cap - 1);
        while (slots[j].hash != 0) j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    PyMem_Free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/* store a key with its value (a new reference is taken) or number, unless the map is full; 0, or -1 on error */
static int map_put(CodepointMap *m, const Key *k, uint64_t hash, PyObject *value, Py_ssize_t number) {
    MapSlot *slot = map_slot(m, k, hash);
    if (slot->hash != 0) { /* already there: replace the value */
        Py_XSETREF(slot->value, Py_XNewRef(value));
        slot->number = number;
        return 0;
    }
    if (m->used >= m->max_used) return 0; /* bounded like the Python caches: a full map only answers */
    if (2 * (m->used + 1) > m->cap) {
        if (map_grow(m) < 0) return -1;
        slot = map_slot(m, k, hash);
    }
    Py_ssize_t len = k->b - k->a;
    if (m->arena_len + len > m->arena_cap) {
        Py_ssize_t cap = 2 * m->arena_cap > m->arena_len + len ? 2 * m->arena_cap : m->arena_len + len + 1024;
        if (cap >= UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "CodepointMap: keys over 4G characters");
            return -1;
        }
        Py_UCS4 *arena = PyMem_Realloc(m->arena, cap * sizeof(Py_UCS4));
        if (arena == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        m->arena = arena;
        m->arena_cap = cap;
    }
    for (Py_ssize_t j = 0; j < len; j++) m->arena[m->arena_len + j] = key_char(k, j);
    slot->hash = hash;
    slot->off = (uint32_t)m->arena_len;
    slot->len = (uint32_t)len;
    slot->value = Py_XNewRef(value);
    slot->number = number;
    m->arena_len += len;
    m->used++;
    return 0;
}

static void map_forget(CodepointMap *m) {
    for (Py_ssize_t i = 0; i < m->cap; i++) {
        Py_CLEAR(m->slots[i].value);
        m->slots[i].hash = 0;
    }
    m->used = 0;
    m->arena_len = 0;
}

static void codepoint_map_dealloc(CodepointMap *self) {
    PyObject_GC_UnTrack(self);
    if (self->slots != NULL) map_forget(self);
    PyMem_Free(self->slots);
    PyMem_Free(self->arena);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int codepoint_map_traverse(CodepointMap *self, visitproc visit, void *arg) {
    if (self->slots == NULL) return 0;
    for (Py_ssize_t i = 0; i < self->cap; i++) Py_VISIT(self->slots[i].value);
    return 0;
}

static int codepoint_map_tp_clear(CodepointMap *self) {
    if (self->slots != NULL) map_forget(self);
    return 0;
}

static PyObject *codepoint_map_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    Py_ssize_t max_used = PY_SSIZE_T_MAX;
    static char *kwlist[] = {"max_size", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|n:CodepointMap", kwlist, &max_used)) return NULL;
    CodepointMap *self = (CodepointMap *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->cap = 1024;
    self->max_used = max_used;
    self->slots = PyMem_Calloc(self->cap, sizeof(MapSlot));
    self->arena_cap = 4096;
    self->arena = PyMem_Malloc(self->arena_cap * sizeof(Py_UCS4));
    if (self->slots == NULL || self->arena == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static PyObject *codepoint_map_clear(CodepointMap *self, PyObject *unused) {
    map_forget(self);
    Py_RETURN_NONE;
}

static Py_ssize_t codepoint_map_len(CodepointMap *self) { return self->used; }

static PyMethodDef codepoint_map_methods[] = {
    {"clear", (PyCFunction)codepoint_map_clear, METH_NOARGS, "clear(): forget every key."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods codepoint_map_as_sequence = {.sq_length = (lenfunc)codepoint_map_len};

static PyTypeObject CodepointMapType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._speedups.CodepointMap",
    .tp_basicsize = sizeof(CodepointMap),
    .tp_dealloc = (destructor)codepoint_map_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "CodepointMap(max_size=None): the C side of a token or word cache (annotate_span, span_word_rows).",
    .tp_traverse = (traverseproc)codepoint_map_traverse,
    .tp_clear = (inquiry)codepoint_map_tp_clear,
    .tp_methods = codepoint_map_methods,
    .tp_as_sequence = &codepoint_map_as_sequence,
    .tp_new = codepoint_map_new,
};

/* Tokens of a text one at a time, as the token pattern of nlp.normalise finds them; a token and the period right
 * after it become one token when the lower-cased pair is a known abbreviation (nlp.normalise._merge_abbreviations) */
typedef struct {
    Text t;
    PyObject *s;
    PyObject *abbreviations;
    Py_ssize_t pos;
} Scanner;

/* 1 and the offsets of the next token, 0 at the end, -1 on error; *token is the token as a new str when one was
 * made (to look the token up as an abbreviation), else NULL */
static int next_token(Scanner *sc, Py_ssize_t *start, Py_ssize_t *end, PyObject **token) {
    Text *t = &sc->t;
    *token = NULL;
    while (sc->pos < t->n && is_space(AT(t, sc->pos))) sc->pos++;
    if (sc->pos >= t->n) return 0;
    Py_ssize_t a = sc->pos, b = match_token(t, a);
    if (b < 0) { /* cannot happen: every non-space character is a token */
        PyErr_SetString(PyExc_AssertionError, "no token at a non-space character");
        return -1;
    }
    if (b < t->n && AT(t, b) == '.' && match_token(t, b) == b + 1) { /* "." is the next token */
        PyObject *tok = PyUnicode_Substring(sc->s, a, b);
        if (tok == NULL) return -1;
        int merge = abbreviation_with_dot(tok, sc->abbreviations);
        if (merge > 0) {
            Py_SETREF(tok, PyUnicode_Substring(sc->s, a, b + 1));
            b++;
        }
        if (merge < 0 || tok == NULL) {
            Py_XDECREF(tok);
            return -1;
        }
        *token = tok;
    }
    sc->pos = b;
    *start = a;
    *end = b;
    return 1;
}

PyDoc_STRVAR(annotate_span_doc,
"annotate_span(text, start, end, info, cache, abbreviations) -> (starts, ends, lemmas, flags)\n\n"
"The tokens of text[start:end], read as a text of its own, by the token pattern of nlp.normalise (a token and the\n"
"period after it are one token when the lower-cased pair is in the frozenset abbreviations): their offsets in\n"
"text, and info[token] = (lemma, one-character flag) of each (info: a dict, possibly with __missing__), the flags\n"
"joined into one str. cache (a CodepointMap kept with info) remembers the pairs, so a known token needs no str.");

static PyObject *annotate_span(PyObject *self, PyObject *args) {
    Scanner sc;
    PyObject *info;
    CodepointMap *cache;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "UnnO!O!O!:annotate_span", &sc.s, &start, &end, &PyDict_Type, &info,
                          &CodepointMapType, &cache, &PyFrozenSet_Type, &sc.abbreviations))
        return NULL;
    if (text_init_span(&sc.t, sc.s, start, end) < 0) return NULL;
    sc.pos = start;
    PyObject *starts = PyList_New(0), *ends = PyList_New(0), *lemmas = PyList_New(0), *result = NULL;
    Py_ssize_t n = 0, cap = 64;
    Py_UCS4 *flags = PyMem_Malloc(cap * sizeof(Py_UCS4));
    if (starts == NULL || ends == NULL || lemmas == NULL || flags == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (;;) {
        Py_ssize_t a, b;
        PyObject *tok;
        int r = next_token(&sc, &a, &b, &tok);
        if (r < 0) goto done;
        if (r == 0) break;
        Key key = {&sc.t, a, b, 0};
        uint64_t hash = key_hash(&key);
        MapSlot *slot = map_slot(cache, &key, hash);
        PyObject *pair = slot->hash != 0 ? Py_XNewRef(slot->value) : NULL; /* NULL: not a token cache's entry */
        if (pair == NULL) {
            if (tok == NULL && (tok = PyUnicode_Substring(sc.s, a, b)) == NULL) goto done;
            pair = PyObject_GetItem(info, tok); /* a dict: __missing__ computes and stores a new pair */
            if (pair != NULL && (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
                                 !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1)) ||
                                 PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(pair, 1)) != 1)) {
                PyErr_SetString(PyExc_TypeError, "annotate_span: info values must be (lemma, one-character flag)");
                Py_CLEAR(pair);
            }
            if (pair != NULL && map_put(cache, &key, hash, pair, 0) < 0) Py_CLEAR(pair);
        }
        Py_XDECREF(tok);
        if (pair == NULL) goto done;
        if (n == cap) {
            Py_UCS4 *grown = PyMem_Realloc(flags, 2 * cap * sizeof(Py_UCS4));
            if (grown == NULL) {
                Py_DECREF(pair);
                PyErr_NoMemory();
                goto done;
            }
            flags = grown;
            cap *= 2;
        }
        flags[n++] = PyUnicode_READ_CHAR(PyTuple_GET_ITEM(pair, 1), 0);
        int failed = PyList_Append(lemmas, PyTuple_GET_ITEM(pair, 0)) < 0 ||
                     append_steal(starts, PyLong_FromSsize_t(a)) < 0 || append_steal(ends, PyLong_FromSsize_t(b)) < 0;
        Py_DECREF(pair);
        if (failed) goto done;
    }
    PyObject *flag_str = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, flags, n);
    if (flag_str != NULL) result = Py_BuildValue("(OOON)", starts, ends, lemmas, flag_str);
done:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(lemmas);
    PyMem_Free(flags);
    return result;
}

/* The end of the letter word [^\W\d_]+(?:[-'’][^\W\d_]+)* starting at pos, or -1 when pos holds no letter;
 * with lower, letters are judged on Py_UNICODE_TOLOWER of each character (the text is lower-cased as it is read). */
static Py_ssize_t word_end(const Text *t, Py_ssize_t pos, int lower) {
#define LETTER_AT(i) is_letter(lower ? lower_char(AT(t, (i))) : AT(t, (i)))
    if (!LETTER_AT(pos)) return -1;
    Py_ssize_t j = pos + 1;
    while (j < t->n && LETTER_AT(j)) j++;
    while (j + 1 < t->n && word_joiner(AT(t, j)) && LETTER_AT(j + 1)) {
        j += 2;
        while (j < t->n && LETTER_AT(j)) j++;
    }
    return j;
#undef LETTER_AT
}

PyDoc_STRVAR(word_forms_doc,
"word_forms(text) -> list of the lower-cased letter words of text ([^\\W\\d_]+(?:[-'’][^\\W\\d_]+)*).");

static PyObject *word_forms(PyObject *self, PyObject *arg) {
    PyObject *low = PyObject_CallMethod(arg, "lower", NULL);
    if (low == NULL) return NULL;
    Text t;
    PyObject *out = NULL;
    if (text_init(&t, low) < 0) goto done;
    out = PyList_New(0);
    if (out == NULL) goto done;
    Py_ssize_t pos = 0;
    while (pos < t.n) {
        Py_ssize_t j = word_end(&t, pos, 0);
        if (j < 0) {
            pos++;
            continue;
        }
        if (append_steal(out, PyUnicode_Substring(low, pos, j)) < 0) {
            Py_CLEAR(out);
            goto done;
        }
        pos = j;
    }
done:
    Py_DECREF(low);
    return out;
}

/* ---- character n-gram table: n-gram -> row, for language id ----
 * An n-gram of up to 5 characters below U+1000 is packed into 64 bits (12 bits a character, its length above them)
 * and found by open addressing without making a str; any other n-gram is looked up in the Python dict itself. */
#define PACK_BITS 12
#define PACK_MAX_LEN 5

typedef struct {
    PyObject_HEAD
    PyObject *ids;      /* the dict it was built from: n-gram -> row */
    uint64_t *keys;     /* 0: empty slot */
    Py_ssize_t *rows;
    uint64_t mask;
} NgramTable;

static inline int pack_gram(const Text *t, Py_ssize_t start, Py_ssize_t k, uint64_t *key) {
    if (k > PACK_MAX_LEN) return 0;
    uint64_t v = (uint64_t)k;
    for (Py_ssize_t i = 0; i < k; i++) {
        Py_UCS4 c = AT(t, start + i);
        if (c >= (1u << PACK_BITS)) return 0;
        v = (v << PACK_BITS) | c;
    }
    *key = v;
    return 1;
}

static inline uint64_t slot_of(uint64_t key, uint64_t mask) { return (key * 0x9E3779B97F4A7C15ull >> 17) & mask; }

static void ngram_table_dealloc(NgramTable *self) {
    Py_XDECREF(self->ids);
    PyMem_Free(self->keys);
    PyMem_Free(self->rows);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *ngram_table_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *ids;
    static char *kwlist[] = {"ids", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:NgramTable", kwlist, &PyDict_Type, &ids)) return NULL;
    NgramTable *self = (NgramTable *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    Py_ssize_t cap = 1024;
    while (cap < 2 * PyDict_GET_SIZE(ids) + 1) cap *= 2;
    self->ids = Py_NewRef(ids);
    self->mask = (uint64_t)cap - 1;
    self->keys = PyMem_Calloc(cap, sizeof(uint64_t));
    self->rows = PyMem_Calloc(cap, sizeof(Py_ssize_t));
    if (self->keys == NULL || self->rows == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    PyObject *gram, *row;
    Py_ssize_t pos = 0;
    while (PyDict_Next(ids, &pos, &gram, &row)) {
        Text t;
        uint64_t key;
        if (text_init(&t, gram) < 0) {
            Py_DECREF(self);
            return NULL;
        }
        if (!pack_gram(&t, 0, t.n, &key)) continue; /* found through the dict */
        Py_ssize_t r = PyLong_AsSsize_t(row);
        if (r == -1 && PyErr_Occurred()) {
            Py_DECREF(self);
            return NULL;
        }
        uint64_t i = slot_of(key, self->mask);
        while (self->keys[i] != 0 && self->keys[i] != key) i = (i + 1) & self->mask;
        self->keys[i] = key;
        self->rows[i] = r;
    }
    return (PyObject *)self;
}

/* row of the n-gram text[start:start+k], 0 when it is in no profile; -1 with an exception set on error */
static Py_ssize_t ngram_row(NgramTable *table, const Text *t, PyObject *s, Py_ssize_t start, Py_ssize_t k) {
    uint64_t key;
    if (pack_gram(t, start, k, &key)) {
        for (uint64_t i = slot_of(key, table->mask);; i = (i + 1) & table->mask) {
            if (table->keys[i] == key) return table->rows[i];
            if (table->keys[i] == 0) return 0;
        }
    }
    PyObject *gram = PyUnicode_Substring(s, start, start + k);
    if (gram == NULL) return -1;
    PyObject *id = PyDict_GetItemWithError(table->ids, gram);
    Py_DECREF(gram);
    if (id == NULL) return PyErr_Occurred() ? -1 : 0;
    return PyLong_AsSsize_t(id);
}

static PyTypeObject NgramTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._speedups.NgramTable",
    .tp_basicsize = sizeof(NgramTable),
    .tp_dealloc = (destructor)ngram_table_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "NgramTable(ids): a read-only index of the dict ids (n-gram str -> row int) for ngram_sums.",
    .tp_new = ngram_table_new,
};

/* A growing array of int64 handed back as bytes (NumPy reads it with frombuffer) */
typedef struct {
    int64_t *v;
    Py_ssize_t n, cap;
} Int64s;

static int int64s_push(Int64s *a, int64_t x) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? 2 * a->cap : 256;
        int64_t *v = PyMem_Realloc(a->v, cap * sizeof(int64_t));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* *row: the number of the word key in the map words, or for a word not there yet -(1 + its index in the list new),
 * new getting the word as a str and the map that placeholder row; 0, or -1 on error */
static int word_row(CodepointMap *words, const Key *key, PyObject *new, int64_t *row) {
    uint64_t hash = key_hash(key);
    MapSlot *slot = map_slot(words, key, hash);
    if (slot->hash != 0) {
        *row = slot->number;
        return 0;
    }
    Py_ssize_t len = key->b - key->a;
    Py_UCS4 small[64], *chars = len <= 64 ? small : PyMem_Malloc(len * sizeof(Py_UCS4));
    if (chars == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t j = 0; j < len; j++) chars[j] = key_char(key, j);
    PyObject *word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars, len);
    if (chars != small) PyMem_Free(chars);
    *row = -1 - (int64_t)PyList_GET_SIZE(new);
    int failed = word == NULL || PyList_Append(new, word) < 0 || map_put(words, key, hash, NULL, *row) < 0;
    Py_XDECREF(word);
    return failed ? -1 : 0;
}

PyDoc_STRVAR(span_word_rows_doc,
"span_word_rows(text, starts, ends, words) -> (rows, counts, new)\n\n"
"The lower-cased letter words of each text[starts[i]:ends[i]] (as nlp.langid.word_forms finds them) as rows of\n"
"the CodepointMap words, flat (bytes of int64), and the number of words of each span (bytes of int64). A word\n"
"not in words gets the row -(1 + k), k its index in the list new (each such word once, in order), and words\n"
"keeps that placeholder until set_word_rows gives the word its row.");

static PyObject *span_word_rows(PyObject *self, PyObject *args) {
    PyObject *s, *starts, *ends;
    CodepointMap *words;
    if (!PyArg_ParseTuple(args, "UO!O!O!:span_word_rows", &s, &PyList_Type, &starts, &PyList_Type, &ends,
                          &CodepointMapType, &words))
        return NULL;
    Py_ssize_t n_spans = PyList_GET_SIZE(starts);
    if (PyList_GET_SIZE(ends) != n_spans) {
        PyErr_SetString(PyExc_ValueError, "span_word_rows: starts and ends differ in length");
        return NULL;
    }
    Int64s rows = {0}, counts = {0};
    PyObject *new = PyList_New(0), *result = NULL, *low = NULL;
    if (new == NULL) goto done;
    for (Py_ssize_t i = 0; i < n_spans; i++) {
        Py_ssize_t a = PyLong_AsSsize_t(PyList_GET_ITEM(starts, i)), b = PyLong_AsSsize_t(PyList_GET_ITEM(ends, i));
        if (PyErr_Occurred()) goto done;
        Text t;
        if (text_init_span(&t, s, a, b) < 0) goto done;
        int lower = 1;
        /* str.lower() maps these two otherwise than one character at a time (İ -> i + combining dot, and a final
         * sigma): the span is lowered by Python then */
        if (a < b && (PyUnicode_FindChar(s, 0x130, a, b, 1) >= 0 || PyUnicode_FindChar(s, 0x3a3, a, b, 1) >= 0)) {
            PyObject *span = PyUnicode_Substring(s, a, b);
            Py_XSETREF(low, span ? PyObject_CallMethod(span, "lower", NULL) : NULL);
            Py_XDECREF(span);
            if (low == NULL || text_init(&t, low) < 0) goto done;
            lower = 0;
        }
        Py_ssize_t before = rows.n, pos = t.lo;
        while (pos < t.n) {
            Py_ssize_t j = word_end(&t, pos, lower);
            if (j < 0) {
                pos++;
                continue;
            }
            Key key = {&t, pos, j, lower};
            int64_t row;
            if (word_row(words, &key, new, &row) < 0 || int64s_push(&rows, row) < 0) goto done;
            pos = j;
        }
        if (int64s_push(&counts, rows.n - before) < 0) goto done;
    }
    PyObject *rows_b = PyBytes_FromStringAndSize((const char *)rows.v, rows.n * (Py_ssize_t)sizeof(int64_t));
    PyObject *counts_b = PyBytes_FromStringAndSize((const char *)counts.v, counts.n * (Py_ssize_t)sizeof(int64_t));
    if (rows_b != NULL && counts_b != NULL) {
        result = Py_BuildValue("(NNO)", rows_b, counts_b, new);
    } else {
        Py_XDECREF(rows_b);
        Py_XDECREF(counts_b);
    }
done:
    Py_XDECREF(low);
    Py_XDECREF(new);
    PyMem_Free(rows.v);
    PyMem_Free(counts.v);
    return result;
}

PyDoc_STRVAR(word_rows_doc,
"word_rows(words, table, rows) -> new\n\n"
"rows[i] = the row of words[i] (lower-cased words, str) in the CodepointMap table, or -(1 + k) for a word not\n"
"there, k its index in the returned list new (each such word once, in order; table keeps that placeholder until\n"
"set_word_rows). rows: a writable C-contiguous intp array of len(words).");

static PyObject *word_rows(PyObject *self, PyObject *args) {
    PyObject *list, *rows_obj;
    CodepointMap *table;
    if (!PyArg_ParseTuple(args, "O!O!O:word_rows", &PyList_Type, &list, &CodepointMapType, &table, &rows_obj))
        return NULL;
    Py_buffer rows;
    if (PyObject_GetBuffer(rows_obj, &rows, PyBUF_C_CONTIGUOUS | PyBUF_ND | PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(list);
    PyObject *new = NULL;
    const char *fmt = rows.format;
    if (rows.ndim != 1 || rows.shape[0] != n || rows.itemsize != sizeof(Py_ssize_t) ||
        strchr("lqn", fmt[strlen(fmt) - 1]) == NULL) {
        PyErr_SetString(PyExc_ValueError, "word_rows: rows must be an intp array of len(words)");
        goto fail;
    }
    Py_ssize_t *out = (Py_ssize_t *)rows.buf;
    if ((new = PyList_New(0)) == NULL) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        Text t;
        if (text_init(&t, PyList_GET_ITEM(list, i)) < 0) goto fail;
        Key key = {&t, 0, t.n, 0};
        int64_t row;
        if (word_row(table, &key, new, &row) < 0) goto fail;
        out[i] = (Py_ssize_t)row;
    }
    PyBuffer_Release(&rows);
    return new;
fail:
    Py_XDECREF(new);
    PyBuffer_Release(&rows);
    return NULL;
}

PyDoc_STRVAR(set_word_rows_doc, "set_word_rows(table, words, first): words[k] (str) gets the row first + k in table.");

static PyObject *set_word_rows(PyObject *self, PyObject *args) {
    CodepointMap *table;
    PyObject *list;
    Py_ssize_t first;
    if (!PyArg_ParseTuple(args, "O!O!n:set_word_rows", &CodepointMapType, &table, &PyList_Type, &list, &first))
        return NULL;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(list); k++) {
        Text t;
        if (text_init(&t, PyList_GET_ITEM(list, k)) < 0) return NULL;
        Key key = {&t, 0, t.n, 0};
        if (map_put(table, &key, key_hash(&key), NULL, first + k) < 0) return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(ngram_sums_doc,
"ngram_sums(words, table, grams, orders, out)\n\n"
"For word i, out[i] = the sum of grams[ids.get(g, 0)] over the character n-grams g of ' ' + word + ' ', in order\n"
"of orders (n-gram lengths), then of position (table: an NgramTable of ids; grams and out: C-contiguous float64\n"
"matrices of equal width).");

static PyObject *ngram_sums(PyObject *self, PyObject *args) {
    PyObject *words, *orders, *grams_obj, *out_obj;
    NgramTable *table;
    if (!PyArg_ParseTuple(args, "O!O!OO!O:ngram_sums", &PyList_Type, &words, &NgramTableType, &table, &grams_obj,
                          &PyTuple_Type, &orders, &out_obj))
        return NULL;
    Py_buffer grams, out;
    if (PyObject_GetBuffer(grams_obj, &grams, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND) < 0) return NULL;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&grams);
        return NULL;
    }
    PyObject *result = NULL, *padded = NULL;
    Py_ssize_t n_words = PyList_GET_SIZE(words), n_orders = PyTuple_GET_SIZE(orders);
    if (grams.ndim != 2 || out.ndim != 2 || strcmp(grams.format, "d") != 0 || strcmp(out.format, "d") != 0 ||
        grams.shape[1] != out.shape[1] || out.shape[0] < n_words) {
        PyErr_SetString(PyExc_ValueError, "ngram_sums: grams and out must be float64 matrices of equal width");
        goto done;
    }
    Py_ssize_t width = grams.shape[1], n_rows = grams.shape[0];
    const double *g = (const double *)grams.buf;
    double *o = (double *)out.buf;
    for (Py_ssize_t w = 0; w < n_words; w++) {
        PyObject *word = PyList_GET_ITEM(words, w);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "ngram_sums: words must be str");
            goto done;
        }
        Py_XSETREF(padded, PyUnicode_FromFormat(" %U ", word));
        Text t;
        if (padded == NULL || text_init(&t, padded) < 0) goto done;
        double *row = o + w * width;
        int first = 1;
        for (Py_ssize_t oi = 0; oi < n_orders; oi++) {
            Py_ssize_t k = PyLong_AsSsize_t(PyTuple_GET_ITEM(orders, oi));
            if (k <= 0) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "ngram_sums: orders must be positive");
                goto done;
            }
            for (Py_ssize_t i = 0; i + k <= t.n; i++) {
                Py_ssize_t r = ngram_row(table, &t, padded, i, k);
                if (r == -1 && PyErr_Occurred()) goto done;
                if (r < 0 || r >= n_rows) {
                    PyErr_SetString(PyExc_IndexError, "ngram_sums: n-gram row out of range");
                    goto done;
                }
                const double *src = g + r * width;
                if (first) {
                    memcpy(row, src, width * sizeof(double));
                    first = 0;
                } else {
                    for (Py_ssize_t c = 0; c < width; c++) row[c] += src[c];
                }
            }
        }
        if (first) memset(row, 0, width * sizeof(double));
    }
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(padded);
    PyBuffer_Release(&grams);
    PyBuffer_Release(&out);
    return result;
}

/* ---- lexicon: sorted "form<TAB>lemma" lines of UTF-8 text -> the lemma of a form ----
 * Indexes the bytes in place (no str is made for a line until its lemma is asked for): the start of every line, and
 * for each value of the first two bytes the first line that has it, so that a lookup bisects a few hundred lines.
 * UTF-8 bytes sort as code points, so this answers as bisection over the decoded lines (nlp.normalise._Lexicon). */
#define N_PREFIXES (257 * 257 + 1)

typedef struct {
    PyObject_HEAD
    PyObject *data;    /* bytes */
    uint32_t *starts;  /* n_lines + 1: line i is [starts[i], starts[i + 1] - 1) */
    Py_ssize_t n_lines;
    uint32_t *by_prefix; /* N_PREFIXES: first line whose two-byte prefix is at least the index */
} Lexicon;

/* the first two bytes as a number that sorts as the bytes do (a missing byte sorts first) */
static inline Py_ssize_t two_byte_prefix(const unsigned char *p, Py_ssize_t n) {
    return (n > 0 ? p[0] + 1 : 0) * 257 + (n > 1 ? p[1] + 1 : 0);
}

/* compare the line p[0:n] with key + "\t": negative if it sorts before, else 0 or positive */
static inline int compare_with_probe(const unsigned char *p, Py_ssize_t n, const unsigned char *key, Py_ssize_t klen) {
    int c = memcmp(p, key, n < klen ? n : klen);
    if (c != 0) return c;
    if (n <= klen) return -1; /* a proper prefix of the probe */
    return (int)p[klen] - '\t';
}

static void lexicon_dealloc(Lexicon *self) {
    Py_XDECREF(self->data);
    PyMem_Free(self->starts);
    PyMem_Free(self->by_prefix);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *lexicon_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *data;
    static char *kwlist[] = {"data", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:Lexicon", kwlist, &PyBytes_Type, &data)) return NULL;
    const unsigned char *buf = (const unsigned char *)PyBytes_AS_STRING(data);
    Py_ssize_t size = PyBytes_GET_SIZE(data);
    if (size >= UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "Lexicon: data over 4 GB");
        return NULL;
    }
    Lexicon *self = (Lexicon *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->data = Py_NewRef(data);
    Py_ssize_t n_lines = 1;
    for (const unsigned char *p = buf; (p = memchr(p, '\n', buf + size - p)) != NULL; p++) n_lines++;
    self->n_lines = n_lines;
    self->starts = PyMem_Malloc((n_lines + 1) * sizeof(uint32_t));
    self->by_prefix = PyMem_Malloc(N_PREFIXES * sizeof(uint32_t));
    if (self->starts == NULL || self->by_prefix == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    Py_ssize_t start = 0, prefix = 0; /* prefixes below `prefix` have their first line set */
    for (Py_ssize_t i = 0; i < n_lines; i++) {
        const unsigned char *nl = memchr(buf + start, '\n', size - start);
        Py_ssize_t end = nl ? nl - buf : size;
        Py_ssize_t here = two_byte_prefix(buf + start, end - start);
        if (i > 0) {
            Py_ssize_t prev = self->starts[i - 1], prev_len = start - 1 - prev;
            int c = memcmp(buf + prev, buf + start, prev_len < end - start ? prev_len : end - start);
            if (c > 0 || (c == 0 && prev_len > end - start)) {
                PyErr_Format(PyExc_ValueError, "Lexicon: line %zd sorts before line %zd (the lines must be sorted)",
                             i + 1, i);
                Py_DECREF(self);
                return NULL;
            }
        }
        while (prefix <= here) self->by_prefix[prefix++] = (uint32_t)i;
        self->starts[i] = (uint32_t)start;
        start = end + 1;
    }
    self->starts[n_lines] = (uint32_t)(size + 1);
    while (prefix < N_PREFIXES) self->by_prefix[prefix++] = (uint32_t)n_lines;
    return (PyObject *)self;
}

static PyObject *lexicon_get(Lexicon *self, PyObject *args) {
    PyObject *key, *fallback = Py_None;
    if (!PyArg_ParseTuple(args, "U|O:get", &key, &fallback)) return NULL;
    Py_ssize_t klen;
    const unsigned char *k = (const unsigned char *)PyUnicode_AsUTF8AndSize(key, &klen);
    if (k == NULL) { /* lone surrogates: not UTF-8, so not in the lexicon */
        PyErr_Clear();
        return Py_NewRef(fallback);
    }
    const unsigned char *buf = (const unsigned char *)PyBytes_AS_STRING(self->data);
    /* the two-byte prefix of the probe key + "\t" */
    unsigned char head[2] = {klen > 0 ? k[0] : '\t', klen > 1 ? k[1] : '\t'};
    Py_ssize_t prefix = two_byte_prefix(head, klen > 0 ? 2 : 1);
    Py_ssize_t lo = self->by_prefix[prefix], hi = self->by_prefix[prefix + 1];
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2, s = self->starts[mid];
        if (compare_with_probe(buf + s, self->starts[mid + 1] - 1 - s, k, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < self->n_lines) {
        Py_ssize_t s = self->starts[lo], n = self->starts[lo + 1] - 1 - s;
        if (n > klen && memcmp(buf + s, k, klen) == 0 && buf[s + klen] == '\t')
            return PyUnicode_DecodeUTF8((const char *)buf + s + klen + 1, n - klen - 1, "strict");
    }
    return Py_NewRef(fallback);
}

static PyMethodDef lexicon_methods[] = {
    {"get", (PyCFunction)lexicon_get, METH_VARARGS,
     "get(form, default=None) -> the text after the tab of the first line whose form (text before its tab) is form."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LexiconType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._speedups.Lexicon",
    .tp_basicsize = sizeof(Lexicon),
    .tp_dealloc = (destructor)lexicon_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Lexicon(data): index of sorted 'form<TAB>lemma' lines, data being their UTF-8 bytes (kept, not copied).",
    .tp_methods = lexicon_methods,
    .tp_new = lexicon_new,
};

static PyMethodDef methods[] = {
    {"annotate_span", annotate_span, METH_VARARGS, annotate_span_doc},
    {"word_forms", word_forms, METH_O, word_forms_doc},
    {"span_word_rows", span_word_rows, METH_VARARGS, span_word_rows_doc},
    {"word_rows", word_rows, METH_VARARGS, word_rows_doc},
    {"set_word_rows", set_word_rows, METH_VARARGS, set_word_rows_doc},
    {"ngram_sums", ngram_sums, METH_VARARGS, ngram_sums_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nlp._speedups",
    "C versions of the preprocessing hot loops; each equals a pure-Python reference in the package.", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    init_ascii_class();
    if (PyType_Ready(&NgramTableType) < 0 || PyType_Ready(&LexiconType) < 0 || PyType_Ready(&CodepointMapType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "NgramTable", (PyObject *)&NgramTableType) < 0 ||
        PyModule_AddObjectRef(m, "Lexicon", (PyObject *)&LexiconType) < 0 ||
        PyModule_AddObjectRef(m, "CodepointMap", (PyObject *)&CodepointMapType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
