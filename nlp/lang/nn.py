"""Norwegian nynorsk language data for preprocessing (data only).

Sources: STOP_WORDS is hand-curated from the closed-class tokens of UD_Norwegian-Nynorsk dev and
UD_Norwegian-NynorskLIA train (spoken, nynorsk-normalised), reviewed so that no content word is removed.
FILLERS follow LIA's ``discourse:filler`` tokens (e, em, ee). NB_EQUIVALENTS (for optional bokmål/nynorsk
harmonisation of lemmas) is a hand-made list of frequent pairs from Norsk Ordbok / Nynorskordboka lemma entries
and their bokmål counterparts in Bokmålsordboka (ordbokene.no). ABBREVIATIONS as for bokmål (Språkrådet).
"""

from . import words
from .nb import ABBREVIATIONS as _NB_ABBREVIATIONS
from .nb import FINAL_ABBREVIATIONS as _NB_FINAL
from .nb import SUSPENSION_LINKS  # noqa: F401  (same conventions)

STOP_WORDS = words("""
alle allereie alt altså andre annan anna at av berre begge blei bli blir blitt bort både då dei deim den denne
dei deira difor dersom det dette deg din dine desse ditt du eller ein eit eitt etter for fordi frå før ha hadde han
hans har hatt heile hennar henne her hjå ho kva kven kvar kvart kvifor korleis kva for i ikkje inn inne ingen
ingenting eg kan kanskje berre kunne ein med meg men medan meir mest min mine mitt mot mykje må måtte ned noko nokon
nok no når og òg også om opp oss over på same seg sjølv sin sine sitt skal skulle slik slike som så til ut utan var
vi vil ville vår våre vårt vere vore vert vart å ja nei jo vel liksom sånn sånt sånne slags blant under ved via
mellom gjennom innan rundt sidan inntil kvarandre eigen eige eigne der dit her hit ettersom enno igjen ganske
veldig litt mange fleire flest få færre alltid aldri ofte nesten heller dessutan jau e
""")

FILLERS = words("e ee eh ehm em emm eeh eem øh øhm æh æhm hm hmm")
BACKCHANNELS = words("mm mhm mmm m-m aha ok okei")
DISCOURSE = frozenset(["liksom", "altså", "på ein måte", "ikkje sant", "veit du", "skjønar du", "ass"])

ABBREVIATIONS = _NB_ABBREVIATIONS | words("t.d. m.a. sjå jf.")
FINAL_ABBREVIATIONS = _NB_FINAL

#: nynorsk lemma -> bokmål lemma, for ``harmonise=True`` (topic models across both written standards).
NB_EQUIVALENTS = {
    "verksemd": "virksomhet",
    "ikkje": "ikke",
    "eg": "jeg",
    "kva": "hva",
    "kven": "hvem",
    "kvar": "hver",
    "korleis": "hvordan",
    "kvifor": "hvorfor",
    "berre": "bare",
    "noko": "noe",
    "nokon": "noen",
    "mykje": "mye",
    "vere": "være",
    "frå": "fra",
    "ein": "en",
    "eit": "et",
    "dei": "de",
    "ho": "hun",
    "òg": "også",
    "sjølv": "selv",
    "meir": "mer",
    "fleire": "flere",
    "utan": "uten",
    "sidan": "siden",
    "medan": "mens",
    "heile": "hele",
    "kunnskap": "kunnskap",
    "samarbeid": "samarbeid",
    "bedrift": "bedrift",
    "næringsliv": "næringsliv",
    "utvikling": "utvikling",
    "kommune": "kommune",
    "arbeid": "arbeid",
    "oppleve": "oppleve",
    "kjensle": "følelse",
    "røynsle": "erfaring",
    "høve": "anledning",
    "løyve": "tillatelse",
    "tilhøve": "forhold",
    "spørsmål": "spørsmål",
    "nettverk": "nettverk",
    "verdi": "verdi",
    "tilsett": "ansatt",
    "leiar": "leder",
    "leiing": "ledelse",
    "eigar": "eier",
    "eige": "eie",
    "auke": "økning",
    "minke": "minske",
    "byrje": "begynne",
    "halde": "holde",
    "gje": "gi",
    "gjere": "gjøre",
    "seie": "si",
    "sjå": "se",
    "kome": "komme",
    "vekse": "vokse",
    "tenkje": "tenke",
    "trengje": "trenge",
    "søkje": "søke",
    "følgje": "følge",
    "syne": "vise",
    "hugse": "huske",
    "skule": "skole",
    "høgskule": "høgskole",
    "veke": "uke",
    "kveld": "kveld",
    "augo": "øye",
    "auge": "øye",
    "meining": "mening",
    "ynskje": "ønske",
    "ønskje": "ønske",
    "klynge": "klynge",
    "forsking": "forskning",
    "nyskaping": "nyskaping",
    "tilbod": "tilbud",
    "bod": "bud",
    "kostnad": "kostnad",
    "lønsemd": "lønnsomhet",
    "verkemiddel": "virkemiddel",
    "næring": "næring",
    "samfunn": "samfunn",
    "mogleg": "mulig",
    "moglegheit": "mulighet",
    "fagleg": "faglig",
    "økonomisk": "økonomisk",
    "lokal": "lokal",
    "ulik": "ulik",
    "vanskeleg": "vanskelig",
    "viktig": "viktig",
    "eigentleg": "egentlig",
    "sjølvsagt": "selvsagt",
    "særleg": "særlig",
    "difor": "derfor",
}
