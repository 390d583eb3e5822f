"""Danish language data for preprocessing (data only).

Sources: STOP_WORDS is hand-curated from the closed-class tokens of UD_Danish-DDT dev, reviewed so that no content
word is removed. FILLERS / DISCOURSE follow the Danish transcription conventions of the DanPASS and Samtalebanken
corpora (øh, øhm, altså, ligesom, ikke (tag question), ikke også) and common Danish interview transcripts.
ABBREVIATIONS from Dansk Sprognævn, Retskrivningsordbogen ("Forkortelser", dsn.dk).
"""

from . import words

STOP_WORDS = words("""
alle allerede alt altså andre anden andet at af bare begge blev blive bliver blevet bort både da de dem den denne
dens der deres derfor dersom det dette dig din dine disse dit du eller en ene end er et efter for fordi fra før have
havde han hans har haft hele hendes hende her hos hun hvad hvem hver hvilke hvilken hvilket hvis hvor hvordan hvorfor
i ikke ind inde ingen intet ingenting jeg jo kan kunne måske kun man med mig men mens mere mest min mine mit mod
meget må måtte ned noget nogen nogle nok nu når og også om op os over på samme sig selv sin sine sit skal skulle
sådan sådanne som så til ud uden var vi vil ville vor vores være været vel ja nej jo ligesom slags blandt under ved
via mellem gennem inden omkring siden indtil hinanden egen eget egne derhen hertil ettersom endnu igen ganske lidt
mange flere flest få færre altid aldrig ofte næsten heller desuden skulle kunne ville
""")

FILLERS = words("øh øhm øøh æh æhm eh ehm hm hmm mm") - {"mm"}
BACKCHANNELS = words("mm mhm mmm ja aha okay ok") - {"ja"}
DISCOURSE = frozenset(["altså", "ligesom", "ikke også", "ikke sandt", "ik", "ikk", "sådan lidt", "ved du"])

ABBREVIATIONS = words("""
f.eks. bl.a. dvs. ca. jf. evt. pga. ift. mht. iflg. hhv. kl. nr. kr. stk. tlf. prof. dr. st. s. inkl. ekskl.
vedr. mio. mia. pkt. afd. ang. fig. kap. el. red. ca
""")
FINAL_ABBREVIATIONS = words("osv. m.m. mv. o.l. etc. m.fl. mfl.")
SUSPENSION_LINKS = words("og eller samt til end /")
