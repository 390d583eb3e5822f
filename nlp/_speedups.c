/* C versions of the preprocessing hot loops (module nlp._speedups).
 *
 * Each function gives exactly the result of a pure-Python reference that stays in the package and is used when this
 * module was not built (no C compiler at install time):
 *   annotate_span    nlp.preprocess._annotate_span_python (nlp.normalise.token_spans, then one cached
 *                    (lemma, flag) lookup per token)
 *   word_forms       nlp.langid._word_forms_python       (lower-cased letter words)
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

/* Tokens of a text one at a time, as the token pattern of nlp.normalise finds them; a token and the period right
 * after it become one token when the lower-cased pair is a known abbreviation (nlp.normalise._merge_abbreviations) */
typedef struct {
    Text t;
    PyObject *s;
    PyObject *abbreviations;
    Py_ssize_t pos;
} Scanner;

/* 1 and the next token (a new reference) with its offsets, 0 at the end, -1 on error */
static int next_token(Scanner *sc, Py_ssize_t *start, Py_ssize_t *end, PyObject **token) {
    Text *t = &sc->t;
    while (sc->pos < t->n && is_space(AT(t, sc->pos))) sc->pos++;
    if (sc->pos >= t->n) return 0;
    Py_ssize_t a = sc->pos, b = match_token(t, a);
    if (b < 0) { /* cannot happen: every non-space character is a token */
        PyErr_SetString(PyExc_AssertionError, "no token at a non-space character");
        return -1;
    }
    PyObject *tok = PyUnicode_Substring(sc->s, a, b);
    if (tok == NULL) return -1;
    if (b < t->n && AT(t, b) == '.' && match_token(t, b) == b + 1) { /* "." is the next token */
        int merge = abbreviation_with_dot(tok, sc->abbreviations);
        if (merge < 0) {
            Py_DECREF(tok);
            return -1;
        }
        if (merge) {
            Py_SETREF(tok, PyUnicode_Substring(sc->s, a, b + 1));
            if (tok == NULL) return -1;
            b++;
        }
    }
    sc->pos = b;
    *start = a;
    *end = b;
    *token = tok;
    return 1;
}

PyDoc_STRVAR(annotate_span_doc,
"annotate_span(text, start, end, info, abbreviations) -> (starts, ends, lemmas, flags)\n\n"
"The tokens of text[start:end], read as a text of its own, by the token pattern of nlp.normalise (a token and the\n"
"period after it are one token when the lower-cased pair is in the frozenset abbreviations): their offsets in\n"
"text, and info[token] = (lemma, one-character flag) of each (info: a dict, possibly with __missing__), the flags\n"
"joined into one str.");

static PyObject *annotate_span(PyObject *self, PyObject *args) {
    Scanner sc;
    PyObject *info;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "UnnO!O!:annotate_span", &sc.s, &start, &end, &PyDict_Type, &info, &PyFrozenSet_Type,
                          &sc.abbreviations))
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
        PyObject *pair = PyDict_GetItemWithError(info, tok); /* borrowed */
        PyObject *owned = NULL;
        if (pair == NULL && !PyErr_Occurred()) pair = owned = PyObject_GetItem(info, tok); /* __missing__ */
        Py_DECREF(tok);
        if (pair == NULL) goto done;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1)) ||
            PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(pair, 1)) != 1) {
            PyErr_SetString(PyExc_TypeError, "annotate_span: info values must be (lemma, one-character flag)");
            Py_XDECREF(owned);
            goto done;
        }
        if (n == cap) {
            Py_UCS4 *grown = PyMem_Realloc(flags, 2 * cap * sizeof(Py_UCS4));
            if (grown == NULL) {
                Py_XDECREF(owned);
                PyErr_NoMemory();
                goto done;
            }
            flags = grown;
            cap *= 2;
        }
        flags[n++] = PyUnicode_READ_CHAR(PyTuple_GET_ITEM(pair, 1), 0);
        int failed = PyList_Append(lemmas, PyTuple_GET_ITEM(pair, 0)) < 0 ||
                     append_steal(starts, PyLong_FromSsize_t(a)) < 0 || append_steal(ends, PyLong_FromSsize_t(b)) < 0;
        Py_XDECREF(owned);
        if (failed) goto done;
    }
    PyObject *flag_str = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, flags, n);
    if (flag_str != NULL) {
        result = Py_BuildValue("(OOON)", starts, ends, lemmas, flag_str);
    }
done:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(lemmas);
    PyMem_Free(flags);
    return result;
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
        if (!is_letter(AT(&t, pos))) {
            pos++;
            continue;
        }
        Py_ssize_t j = pos + 1;
        while (j < t.n && is_letter(AT(&t, j))) j++;
        while (j + 1 < t.n && word_joiner(AT(&t, j)) && is_letter(AT(&t, j + 1))) {
            j += 2;
            while (j < t.n && is_letter(AT(&t, j))) j++;
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

PyDoc_STRVAR(word_rows_doc,
"word_rows(words, ids, rows) -> new\n\n"
"rows[i] = ids[words[i]], or -1 for a word not in the dict ids (str -> int); rows: a writable C-contiguous intp\n"
"array of len(words). Returns the words not in ids, each once, in order of first occurrence.");

static PyObject *word_rows(PyObject *self, PyObject *args) {
    PyObject *words, *ids, *rows_obj;
    if (!PyArg_ParseTuple(args, "O!O!O:word_rows", &PyList_Type, &words, &PyDict_Type, &ids, &rows_obj)) return NULL;
    Py_buffer rows;
    if (PyObject_GetBuffer(rows_obj, &rows, PyBUF_C_CONTIGUOUS | PyBUF_ND | PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    PyObject *new = NULL, *seen = NULL;
    const char *fmt = rows.format;
    if (rows.ndim != 1 || rows.shape[0] != n || rows.itemsize != sizeof(Py_ssize_t) ||
        strchr("lqn", fmt[strlen(fmt) - 1]) == NULL) {
        PyErr_SetString(PyExc_ValueError, "word_rows: rows must be an intp array of len(words)");
        goto fail;
    }
    Py_ssize_t *out = (Py_ssize_t *)rows.buf;
    new = PyList_New(0);
    seen = PySet_New(NULL);
    if (new == NULL || seen == NULL) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        PyObject *id = PyDict_GetItemWithError(ids, w);
        if (id != NULL) {
            out[i] = PyLong_AsSsize_t(id);
            if (out[i] == -1 && PyErr_Occurred()) goto fail;
            continue;
        }
        if (PyErr_Occurred()) goto fail;
        out[i] = -1;
        int known = PySet_Contains(seen, w);
        if (known < 0 || (!known && (PySet_Add(seen, w) < 0 || PyList_Append(new, w) < 0))) goto fail;
    }
    Py_DECREF(seen);
    PyBuffer_Release(&rows);
    return new;
fail:
    Py_XDECREF(new);
    Py_XDECREF(seen);
    PyBuffer_Release(&rows);
    return NULL;
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
    {"word_rows", word_rows, METH_VARARGS, word_rows_doc},
    {"ngram_sums", ngram_sums, METH_VARARGS, ngram_sums_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nlp._speedups",
    "C versions of the preprocessing hot loops; each equals a pure-Python reference in the package.", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    init_ascii_class();
    if (PyType_Ready(&NgramTableType) < 0 || PyType_Ready(&LexiconType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "NgramTable", (PyObject *)&NgramTableType) < 0 ||
        PyModule_AddObjectRef(m, "Lexicon", (PyObject *)&LexiconType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
