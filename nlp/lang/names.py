"""Language data for pseudonymisation (Norwegian bokmål/nynorsk and Danish): names, titles, suffixes, kept names.

Source and honesty note
-----------------------
No official name list (Statistics Norway / Danmarks Statistik) is available offline here. The given names and
surnames below were written down by hand by the project from general knowledge of names that are common in Norway
and Denmark (the well-known "-sen" patronymic surnames, farm names such as Berg/Haugen/Lie, and frequent given names
across birth cohorts). They are NOT a frequency-ranked statistical list and are not exhaustive: the detector also uses
context rules, word-frequency evidence (``wordfreq``'s nb/da lists) and user-supplied lists, and the user should add
the names of their own informants with ``--names``. Titles, organisation suffixes and place-name suffixes are standard
Norwegian/Danish usage (company forms from the Norwegian Enhetsregisteret and Danish CVR form codes).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "COMMON_ABBREVIATIONS",
    "EXISTING_PLACEHOLDERS",
    "GIVEN_NAMES",
    "LOCATIVE_PREPOSITIONS",
    "ORG_CONNECTORS",
    "ORG_HEADS",
    "ORG_LEADS",
    "ORG_SUFFIXES",
    "ORG_WORD_ENDINGS",
    "PERSON_LABELS",
    "PLACE_COMPOUND_TAILS",
    "PLACE_NAMES",
    "PLACE_SUFFIXES",
    "PUBLIC_BODIES",
    "STREET_SUFFIXES",
    "SURNAMES",
    "TITLES",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GIVEN = """
Aase Agnes Alexander Alf Alfred Ali Aleksander Amalie Amanda Andrea Andreas Anders Anette Anita Ann Anna Anne Anne-Lise
Annette Arild Arne Arnt Asbjørn Astrid Atle Audun Aud Bente Benedicte Berit Birgit Birgitte Bjarne Bjørg Bjørn
Bodil Borghild Bård Børge Camilla Carina Carl Caroline Cathrine Charlotte Christian Christina Christine Christoffer
Dag Daniel David Dorthe Egil Einar Eirik Eivind Eli Elin Elisabeth Ellen Emil Emilie Emma Erik Erling Espen
Even Frank Fredrik Frida Frode Geir Gerd Grete Gro Gudrun Gunn Gunnar Gustav Guttorm Hallvard Hans Hanne Harald
Hege Heidi Helene Helge Helle Henrik Henning Hilde Hjalmar Håkon Håvard Ida Inge Inger Ingrid Ingunn Ivar Jan Jakob
Jens Jesper Johan Johanne Johannes John Jon Jonas Jorunn Julie Jørgen Jørn Kaja Kari Karin Karl Karen Kasper Katrine
Kenneth Kim Kirsten Kjell Kjersti Knut Kristian Kristin Kristine Kristoffer Lars Lasse Laila Lena Lene Lars-Erik Leif
Line Linda Lise Liv Lotte Magnus Malene Maren Margit Margrethe Mari Maria Marianne Marie Marit Martin Martine Mats
Mette Mia Mikael Mikkel Mona Monica Morten Niels Nils Nina Nora Odd Oddvar Ole Oliver Olav Ola Oskar Pernille Per
Petter Peter Pia Ragnar Ragnhild Randi Rasmus Reidun Rolf Rune Rut Ruth Sandra Sara Sarah Sebastian Sigrid Sigurd Silje
Simen Simon Sindre Siri Siv Snorre Solveig Sofie Sondre Steffen Stein Steinar Stian Sturla Susanne Svein Sverre Synne
Søren Terje Thea Thomas Thor Thorvald Tina Tom Tone Tor Tora Tore Torbjørn Torgeir Tove Trine Trond Trude Turid Tuva
Vegard Vibeke Vidar Wenche Yngve Øystein Øyvind Åse Åsmund Elisabet Kjetil Tormod Halvor Ingvild Marte Ane
"""

_SURNAMES = """
Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen Eriksen Berg
Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen Henriksen Lund Sørensen Jakobsen Moen
Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen Bakken Kristoffersen Mathisen Lie Amundsen
Rasmussen Lunde Solheim Berntsen Moe Kristensen Bakke Nielsen Christensen Madsen Thomsen Poulsen Møller Mortensen
Petersen Frederiksen Hedegaard Mikkelsen Knudsen Holm Lauritsen Thygesen Olesen Vestergaard Dalen Haug Aas Ruud
Fredriksen Nygård Nygaard Sandvik Antonsen Ellingsen Myhre Tangen Hauge Berge Aune Lien Aasen Rønning Hovland Wold
Wiik Fjeld Brekke Hegge Engen Sæther Ødegård Øien Ødegaard Foss Lorentzen Edvardsen Torgersen Thorsen Toft Danielsen
Nordmann
"""

#: Common Norwegian and Danish given names (hand-written list, see the module docstring).
GIVEN_NAMES: frozenset[str] = _words(_GIVEN)
#: Common Norwegian and Danish surnames (hand-written list, see the module docstring).
SURNAMES: frozenset[str] = _words(_SURNAMES)

#: Words that precede a person's name (lower-cased; "daglig leder Kari Hansen", "professor Hansen").
TITLES: frozenset[str] = _words("""
herr fru frk. frøken dr. dr prof. prof professor førsteamanuensis amanuensis stipendiat rektor direktør
adm.dir. administrerende leder daglig-leder konsulent rådgiver seniorrådgiver prosjektleder ordfører rådmann
styreleder nestleder sekretær minister statsråd lektor lærer ingeniør overlege sjef kollega kollegaen
kone mann søster bror datter sønn mor far hr. sign. signert
""")

#: Labels that introduce a person ("Informant: Kari", "Intervjuer Per") in transcripts (lower-cased).
PERSON_LABELS: frozenset[str] = _words(
    "informant informanten intervjuer intervjuobjekt respondent deltaker deltager interviewer"
)

#: Company-form suffixes (Norwegian Enhetsregisteret organisasjonsformer and Danish CVR virksomhedsformer).
ORG_SUFFIXES: tuple[str, ...] = (
    "ASA",
    "AS",
    "A/S",
    "ApS",
    "SA",
    "BA",
    "DA",
    "ANS",
    "KS",
    "I/S",
    "IVS",
    "P/S",
    "K/S",
    "SE",
    "NUF",
    "Ltd",
    "Ltd.",
    "Inc",
    "Inc.",
    "GmbH",
    "AB",
    "Oy",
    "as",
)

#: Words that, as the last word of a capitalised run, make it an organisation ("Røros Metall", "Hedmark Bygg").
ORG_HEADS: frozenset[str] = _words("""
Metall Produkter Bruk Bygg Gruppen Group Holding Industri Industrier Invest Eiendom Consult Consulting Elektro
Mekaniske Mek Verksted Verk Sparebank Bank Forsikring Transport Entreprenør Seating Systems Solutions Technology
Tech Media Design Data Energi Kraft Næringshage Næringsselskap Kunnskapspark Kunnskapsparken Familiepark
Olympiapark Alpinsenter Hotell Hotel Hytte Fjellstue Camping Regnskap Revisjon Advokatfirma Handel Service
Maskin Plast Trelast Treindustri Møbler Møbel Fabrikker Fabrikk Mølle Meieri Bakeri Rørleggerservice Rør
Universitet Universitetet Høgskole Høgskolen Høgskule Høgskulen Institutt Instituttet Fylkeskommune Kommune
Institute Institut University College Community Clusters Cluster Studios Production Productions Festival Forlag
Stiftelse Stiftelsen Forening Foreningen Forbund Forbundet Lag Laget Klubb Klubben Sykehus Sykehuset Skole Skolen
""")

#: Words that start an organisation name continued by a connector ("Universitetet i Agder", "Instituttet for ...").
ORG_LEADS: frozenset[str] = _words("""
Universitetet Universitet Høgskolen Høgskulen Instituttet Institutt Senteret Senter Norsk Norges Nasjonalt Statens
Direktoratet Departementet Fylkeskommunen Kommunen Stiftelsen Foreningen Museet University Institute College
""")
#: Lower-case words that join an organisation lead to its place or field (nb, nn, da, en).
ORG_CONNECTORS: frozenset[str] = _words("i på for ved av of in for og")

#: Capitalised abbreviations of ordinary words, never names ("FoU" = forskning og utvikling).
COMMON_ABBREVIATIONS: frozenset[str] = _words("""
FoU IKT IT KI AI HR CEO CTO CFO NOK DKK EUR USD BNP PhD MSc NB OBS PS TV PC SMB KMU OK ca Dvs dvs Mr Ms
""")

#: Word endings that mark an organisation name on their own ("Østlandsforskning", "Nyskapingssenteret").
ORG_WORD_ENDINGS: tuple[str, ...] = (
    "forskning",
    "senteret",
    "senter",
    "parken",
    "selskapet",
    "gruppen",
    "næringshage",
    "instituttet",
    "konsult",
    "kompaniet",
    "fabrikken",
    "rådet",
    "rådets",
    "tilsynet",
    "direktoratet",
    "departementet",
    "registeret",
    "verket",
    "banken",
    "forbundet",
    "foreningen",
    "stiftelsen",
    "kommune",
    "kommunes",
)

#: Place-name endings (street and settlement names) in Norwegian and Danish.
PLACE_SUFFIXES: tuple[str, ...] = (
    "veien",
    "vegen",
    "vei",
    "veg",
    "gata",
    "gate",
    "gaten",
    "vej",
    "gade",
    "allé",
    "alle",
    "plass",
    "plads",
    "torget",
    "torv",
    "stad",
    "vik",
    "dal",
    "dalen",
    "by",
    "rud",
    "strand",
    "heim",
    "sund",
    "fjord",
    "øy",
    "nes",
    "bakken",
    "berg",
    "haug",
    "lia",
    "moen",
    "holm",
    "køping",
    "sted",
    "rup",
    "strup",
    "løkke",
    "borg",
    "land",
    "regionen",
)

#: Street-name endings: a house number after such a street belongs to the address ("Havnegata 14").
STREET_SUFFIXES: tuple[str, ...] = (
    "veien",
    "vegen",
    "vei",
    "veg",
    "gata",
    "gate",
    "gaten",
    "vej",
    "gade",
    "allé",
    "alle",
    "plass",
    "plads",
    "torget",
    "torv",
    "stien",
    "sti",
    "stræde",
    "bakken",
)

#: A small list of well-known places (municipalities, counties, regions) in Norway and Denmark.
PLACE_NAMES: frozenset[str] = _words("""
Oslo Bergen Trondheim Stavanger Kristiansand Tromsø Drammen Fredrikstad Sandnes Sarpsborg Skien Bodø Ålesund
Sandefjord Haugesund Tønsberg Moss Porsgrunn Arendal Hamar Larvik Halden Lillehammer Molde Harstad Gjøvik Kongsberg
Røros Elverum Kongsvinger Steinkjer Narvik Alta Levanger Namsos Mo Grimstad Lillesand Mandal Notodden Brumunddal
Hedmark Oppland Innlandet Viken Agder Vestland Rogaland Trøndelag Nordland Troms Finnmark Telemark Buskerud Vestfold
Østfold Akershus Hordaland Sogn Fjordane Møre Romsdal Gudbrandsdalen Østerdalen Hallingdal Valdres Sørlandet
Vestlandet Østlandet Nord-Norge Midt-Norge Hafjell Kvitfjell Trysil Geilo Hemsedal Stange Løten Ringsaker
København Aarhus Odense Aalborg Esbjerg Randers Kolding Horsens Vejle Roskilde Herning Silkeborg Næstved Fredericia
Viborg Køge Holstebro Taastrup Slagelse Hillerød Sønderborg Svendborg Hjørring Frederikshavn Nørresundby Ringsted
Jylland Sjælland Fyn Bornholm Midtjylland Nordjylland Syddanmark Hovedstaden
Norge Noreg Danmark Sverige Norden Skandinavia Europa Finland Island Tyskland England Storbritannia Frankrike
Italia Spania Nederland Polen Russland Kina Japan India USA Canada Australia Amerika Afrika Asia Tyskland Østerrike
Sveits Belgia Portugal Hellas Estland Latvia Litauen Irland Skottland London Berlin Stockholm Göteborg
Helsingfors Helsinki Reykjavik
""")

#: Lower-case tails that make a hyphen compound a place name ("LMG-regionen", "Hamar-distriktet").
PLACE_COMPOUND_TAILS: tuple[str, ...] = (
    "regionen",
    "region",
    "området",
    "distriktet",
    "fylket",
    "fylke",
    "byen",
    "bygda",
    "kommune",
    "kommunen",
    "dalen",
    "halvøya",
    "landet",
)

#: Prepositions after which a capitalised, rare word is usually a place (lower-cased; nb, nn, da).
LOCATIVE_PREPOSITIONS: frozenset[str] = _words(
    "i på fra til ved mot rundt utenfor nær gjennom over under mellom frå kring nord sør øst vest"
)


def _lines(name: str) -> tuple[str, ...]:
    text = (Path(__file__).with_name(name)).read_text(encoding="utf-8")
    return tuple(dict.fromkeys(s for s in (line.split("#", 1)[0].strip() for line in text.splitlines()) if s))


#: Public bodies, programmes and public institutions kept by default when pseudonymising (Innovasjon Norge, Enova,
#: SkatteFUNN, Arena, NCE, GCE, EU, Horisont Europa, universities, fylkeskommuner, ...); data and its source in
#: ``nlp/lang/public_bodies.txt``.
PUBLIC_BODIES: tuple[str, ...] = _lines("public_bodies.txt")

#: Placeholders the theses (and researchers) already use; never replaced.
EXISTING_PLACEHOLDERS: tuple[str, ...] = (
    "[navn]",
    "[bedrift]",
    "[sted]",
    "[firma]",
    "[person]",
    "XX",
    "XXX",
    "NN",
    "N.N.",
)
