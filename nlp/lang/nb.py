"""Norwegian bokmål language data for preprocessing (data only).

Sources: STOP_WORDS is hand-curated from the closed-class tokens (PRON, DET, ADP, CCONJ, SCONJ, AUX, PART and
frequent function ADV) of UD_Norwegian-Bokmaal dev, reviewed so that no content word is removed (spaCy's nb list
wrongly contains content words such as ``by``, ``dag``, ``folk``, ``sted``, ``tid``, ``gang``). FILLERS /
BACKCHANNELS / DISCOURSE follow the transcription conventions of the Norwegian LIA and NoTa speech corpora
(UD_Norwegian-NynorskLIA ``discourse:filler``) and common Norwegian interview transcripts. ABBREVIATIONS are the
abbreviations with internal or final periods listed by Språkrådet ("Forkortinger", sprakradet.no).
"""

from . import words

STOP_WORDS = words("""
alle allerede alt altså andre annen annet at av bare begge ble bli blir blitt bort både da de dem den denne
dens der deres derfor dersom det dette deg din dine disse ditt du eller en ene enn er et ett etter for fordi fra
før ha hadde han hans har hatt hele hennes henne her hos hun hva hvem hver hvilke hvilken hvilket hvis hvor hvordan
hvorfor i ikke inn inne ingen ingenting jeg jo kan kanskje kun kunne man med meg men mens mer mest min mine mitt
mot mye må måtte ned noe noen nok nå når og også om opp oss over på samme seg selv sin sine sitt skal skulle slik
slike som så såpass til ut uten var vi vil ville vår våre vårt være vært å ja nei jo jaså vel liksom da sånn sånt
sånne slags hos blant under ved via mellom gjennom innen mot rundt siden inntil hverandre seg selv ens egen eget egne
dens dets deres hvis hvorav hvorpå der dit her hit hvor hvordan ettersom idet skjønt enda ennå nettopp akkurat
igjen ganske veldig litt mange flere flest få færre alltid aldri ofte bare også nesten heller dessuten altså
""")

#: Hesitation sounds (LIA ``discourse:filler``): removed, and counted as fillers.
FILLERS = words("e ee eh ehm em emm eeh eem øh øhm øøh æh æhm hm hmm")

#: Backchannels and response tokens of the listener.
BACKCHANNELS = words("mm mhm mmm m-m aha ahh ok okei")

#: Discourse markers that carry no topic in interview speech (single words and multiword phrases).
DISCOURSE = frozenset(
    ["liksom", "altså", "på en måte", "ikke sant", "vet du", "skjønner du", "for å si det sånn", "ass"]
)

#: Abbreviations ending in a period that never end a sentence by themselves.
ABBREVIATIONS = words("""
f.eks. bl.a. dvs. ca. jf. evt. pga. ift. mht. iht. mtp. nr. kr. kl. tlf. prof. dr. st. s. pkt. ang. adm. inkl.
eks. ekskl. gj.sn. red. vedr. o.a. f.o.m. t.o.m. nb. pr. mill. mrd. tab. fig. kap. avd. tidl.
""")

#: Abbreviations that may stand at the end of a sentence (a capital letter after them starts a new one).
FINAL_ABBREVIATIONS = words("osv. m.m. mv. o.l. etc. m.fl. mfl.")

#: Words that follow a suspended compound (``olje- og gassindustrien``): a hyphen-final token before them is not a
#: cut-off word.
SUSPENSION_LINKS = words("og eller el. samt til enn /")
