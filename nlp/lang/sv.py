"""Swedish language data (data only): only what language id and a minimal fallback need.

Source: hand-curated function words (Svenska Akademiens ordlista word classes); abbreviations from Språkrådet
(Sweden), "Förkortningar".
"""

from . import words

STOP_WORDS = words("""
alla allt andra annan annat att av bara både de dem den denna denne det detta dig din dina ditt du eller en ett
efter för eftersom från före ha hade han hans har haft hela hennes henne här hos hon vad vem varje vilka vilken
vilket om var hur varför i inte in inne ingen ingenting jag ju kan kanske kunde man med mig men medan mer mest min
mina mitt mot mycket måste ned något några nog nu när och också opp oss över på samma sig själv sin sina sitt ska
skulle sådan som så till ut utan var vi vill ville vår våra vårt vara varit ja nej väl liksom alltså typ
""")
FILLERS = words("eh ehm öh öhm äh ähm hm hmm")
BACKCHANNELS = words("mm mhm mmm aha okej ok")
DISCOURSE = frozenset(["liksom", "alltså", "typ", "ba", "asså"])
ABBREVIATIONS = words("t.ex. bl.a. dvs. ca. jfr. osv. m.m. s.k. p.g.a. enl. kl. nr. kr. tel.")
FINAL_ABBREVIATIONS = words("osv. m.m. etc. m.fl.")
SUSPENSION_LINKS = words("och eller samt till än /")
