"""Language data for judging line-end hyphens in text extracted from PDFs (nb, nn, da, sv, en).

A hyphen at the end of a line followed by one of these words on the next line is a suspended compound
("konkurranse- og innovasjonsevne", "bruker- eller etterspørselsdrevet", "Nærings- og handelsdepartementet"): the
hyphen and the space stay. Source: Språkrådet, "Bindestrek" (sprakradet.no, skriveregler: "sammenskriving med
bindestrek" / ordforkorting med bindestrek, e.g. "inn- og utførsel"); Dansk Sprognævn, Retskrivningsregler § 18
(bindestreg ved udeladelse af fælles led, "ind- og udgang"); Svenska skrivregler (Språkrådet, 2017) 11.4.
"""

from __future__ import annotations

__all__ = ["SUSPENDED_COMPOUND_WORDS"]

#: Words that follow a suspended compound's hyphen ("X- og Y").
SUSPENDED_COMPOUND_WORDS: frozenset[str] = frozenset(
    {
        # nb / nn / da ("inn- og utførsel", "ind- og udgang", "fra- til")
        "og",
        "eller",
        "samt",
        "til",
        # sv
        "och",
        # en
        "and",
        "or",
    }
)
