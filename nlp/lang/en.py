"""English language data (data only): interviews in Scandinavia switch to English now and then.

Source: hand-curated function words (closed word classes of the Cambridge Grammar of the English Language);
abbreviations from common English style guides.
"""

from . import words

STOP_WORDS = words("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves yes yeah okay ok like well
""")
FILLERS = words("uh um uhm er erm eh ehm hm hmm")
BACKCHANNELS = words("mm mhm mmm uh-huh aha")
DISCOURSE = frozenset(["you know", "i mean", "kind of", "sort of"])
ABBREVIATIONS = words("e.g. i.e. cf. approx. no. vs. mr. mrs. ms. dr. prof. st. fig. ch. p. pp.")
FINAL_ABBREVIATIONS = words("etc. et al.")
SUSPENSION_LINKS = words("and or to /")
