"""Driver/barrier cue words for Norwegian (bokmål, nynorsk) and Danish (data only).

Source: hand-curated from general knowledge of the three languages (common evaluative vocabulary for "something helps
/ works well" versus "something hinders / is lacking"), NOT derived from any coded corpus. Entries are lower-case word
STEMS matched as prefixes of a word (``utfordr`` matches utfordring, utfordringer, utfordrende, udfordring needs its
own stem); stems are kept long enough to avoid unrelated words. PHRASES are two-word cues matched on adjacent words.
NEGATIONS flip the polarity of a cue that follows within ``NEGATION_SCOPE`` words.
"""

from . import words

#: Stems of words that mark something as hindering, lacking or costly (nb, nn, da).
BARRIER = words("""
utfordr udfordr problem barriere barrierer hindr hinder hindring hemm hemmsko vanskel vanskeleg vansk
dessverre dessverra desværre mangl mangel manglar savn savne sakn sakna sakne svak svakhet svakheit svagh
kostbar kostnad kostnader dyrt dyre tidkrev tidkræv tidsbruk ressurskrev ressurskræv krevend krevjand
krævend byrde belast frustr skuff bekymr bekymring uro usikker usikr utrygg tvil tvile risiko risikab
konflikt trussel truga trusl fare farlig farleg skeptisk skepsis motstand
motvilj treg tregt trege tungvint tungvinn byråkrat byrokrat komplis kompleks forsink forsinkelse feil
dårleg dårlig dårlige ringe svikt svikte mislykk mislukk misfornøy misnøy nedgang nedleggel stopp stans
begrens avgrens afgræns begræns isolert isolerte isoleret ensom ensomt umulig umogleg umuligt ulemp ulempe
bakdel ulønnsom ulønsam ulønsom underskudd underskud tap tapte taper mistill mistru mistro stengt lukket
""")

#: Stems of words that mark something as helping, valuable or working well (nb, nn, da).
DRIVER = words("""
viktig viktige vigtig fordel fordele mulighet mulegheit mulighed styrk styrke bidra bidrag bidrog bidrage
nyttig nytte nyttige godt gode bra flott fint fine suksess suksé lykkes lukkast lykkedes vellykk
fremm fremme løft løfte hjelp hjelpe hjælp hjælpe støtt støtte samarbeid samarbeidet samarbejd
verdi verdifull værdi værdifuld gevinst gevinsten gagn gagne gunstig positiv positive positivt effektiv
utvikl udvikl vekst vokse voks innovasjon innovativ inspir motiv motivasjon engasj entusias glad fornøyd
tilfreds trygg tillit tillid åpen åpenhet åben åbenhed
forbedr betre bedre bedring enklere lettere enkelt lett nær nærhet nærheit synerg sterk sterke stærk
""")

#: Two-word cues (adjacent words, lower case) and their polarity.
PHRASES: dict[tuple[str, str], str] = {
    ("for", "lite"): "barrier",
    ("for", "få"): "barrier",
    ("for", "mye"): "barrier",
    ("ikke", "nok"): "barrier",
    ("ikkje", "nok"): "barrier",
    ("for", "dårlig"): "barrier",
    ("for", "lidt"): "barrier",
    ("for", "dyrt"): "barrier",
    ("fungerer", "godt"): "driver",
    ("fungerer", "bra"): "driver",
    ("fungerar", "godt"): "driver",
    ("fungerer", "fint"): "driver",
    ("virker", "godt"): "driver",
}

#: Negation words (nb, nn, da); a cue within NEGATION_SCOPE words after one of these changes polarity.
# ("ei" is left out: besides nynorsk "not" it is the common feminine article)
NEGATIONS = words(
    "ikke ikkje ikkj ingen inga ingenting aldri aldrig verken hverken uten utan uden intet inget"
)

NEGATION_SCOPE = 3

#: Short stems must match whole words only (prefix matching would hit unrelated words).
MIN_PREFIX = 5

__all__ = ["BARRIER", "DRIVER", "MIN_PREFIX", "NEGATIONS", "NEGATION_SCOPE", "PHRASES"]
