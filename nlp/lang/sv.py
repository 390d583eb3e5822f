"""Swedish language data (data only): only what language id and a minimal fallback need.

Source: hand-curated function words (Svenska Akademiens ordlista word classes); abbreviations from Språkrådet
(Sweden), "Förkortningar".
"""

STOP_WORDS = frozenset("""
alla allt andra annan annat att av bara både de dem den denna denne det detta dig din dina ditt du eller en ett
efter för eftersom från före ha hade han hans har haft hela hennes henne här hos hon vad vem varje vilka vilken
vilket om var hur varför i inte in inne ingen ingenting jag ju kan kanske kunde man med mig men medan mer mest min
mina mitt mot mycket måste ned något några nog nu när och också opp oss över på samma sig själv sin sina sitt ska
skulle sådan som så till ut utan var vi vill ville vår våra vårt vara varit ja nej väl liksom alltså typ
""".split())
FILLERS = frozenset("eh ehm öh öhm äh ähm hm hmm".split())
BACKCHANNELS = frozenset("mm mhm mmm aha okej ok".split())
DISCOURSE = frozenset(["liksom", "alltså", "typ", "ba", "asså"])
ABBREVIATIONS = frozenset("t.ex. bl.a. dvs. ca. jfr. osv. m.m. s.k. p.g.a. enl. kl. nr. kr. tel.".split())
FINAL_ABBREVIATIONS = frozenset("osv. m.m. etc. m.fl.".split())
SUSPENSION_LINKS = frozenset("och eller samt till än /".split())
