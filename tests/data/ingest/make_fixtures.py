"""Write the small ingest fixtures in this folder (run once; the files are committed).

.venv/bin/python tests/data/ingest/make_fixtures.py
"""

import zipfile
from pathlib import Path

HERE = Path(__file__).parent

NB = (
    "Intervjuer: Kan du fortelle litt om hvordan samarbeidet i klyngen startet?\n"
    "Informant 3: Ja, eh, det var [navn] fra [bedrift] som tok kontakt. Vi møttes på [sted].\n"
    "Det er vel XX bedrifter med nå.\n"
    "Intervjuer: Hva betyr det for dere?\n"
    "Informant 3: Mye. Vi får kunnskap vi ikke ville fått alene, og det er særlig nyttig for små "
    "bedrifter i Sør-Norge.\n"
)

DA = (
    "Interviewer: Hvordan startede samarbejdet?\n"
    "Interviewperson: Øh, det var vel en tilfældighed. Vi mødtes på en konference i Århus.\n"
    "Interviewer: Og hvad har I fået ud af det?\n"
    "Interviewperson: Altså, vi har fået adgang til viden, ikke?\n"
)

CP1252 = (
    "Int: Kva gjer de på Røros?\r\n"
    "Resp: Vi lagar deler til bilindustrien. Det er kjekt å jobbe her, særleg om vinteren.\r\n"
    "Int: Kvifor det?\r\n"
    "Resp: Fordi næringa står saman. «Alle kjenner alle», som vi seier.\r\n"
)

INITIALS = (
    "KM: Hvordan kom dere i gang?\n"
    "PL: Vi søkte om midler fra Innovasjon Norge i 2012.\n"
    "KM: Og hvordan gikk det?\n"
    "PL: Det gikk bra. Vi fikk støtte til et forprosjekt.\n"
    "KM: Hva skjedde så?\n"
    "PL: Så ble det et NCE-programmet etter hvert.\n"
)

TIMESTAMPS = (
    "[00:00:05] I: Velkommen. Kan du si litt om bedriften?\n"
    "[00:00:12] R: Vi er tolv ansatte. [00:00:20] Vi lager programvare.\n"
    "00:01:02 - I: Hvem samarbeider dere med?\n"
    "00:01:09 - R: Mest med [bedrift] (01:15) og universitetet.\n"
)

NO_TURNS = (
    "Notater fra møtet i klyngen.\n\n"
    "Deltakerne diskuterte felles rekruttering og et nytt kurs om digitalisering.\n"
)

PDF_LIKE = "".join(
    [" Kapittel 4 Funn \n\n"]
    + [
        "I denne delen presenterer vi funnene fra intervjuene med bedriftene i klyngen, og vi \n\n",
        "legger vekt på hvordan samarbeidet har utviklet seg over tid. NCE-programmet har vært \n\n",
    ]
    * 8
    + [" 23 \n\n", " Kapittel 5 Drøfting \n\n"]
    + [
        "Funnene viser at tillit mellom aktørene er en viktig forutsetning for kunnskapsdeling, \n\n",
    ]
    * 6
)

VTT = (
    "WEBVTT\n\n"
    "NOTE made by a speech-to-text tool\n\n"
    "1\n00:00:01.000 --> 00:00:03.500\n<v Intervjuer>Hvordan startet det?</v>\n\n"
    "2\n00:00:04.000 --> 00:00:06.000\n<v Kari Nordmann>Det startet med et møte\n"
    "i 2015.</v>\n\n"
    "3\n00:00:06.200 --> 00:00:08.000\n<v Kari Nordmann>Med [bedrift] &amp; universitetet.</v>\n\n"
    "4\n00:00:08.500 --> 00:00:09.000\n<v Intervjuer>Og så?</v>\n"
)

SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nSpeaker 1: Hei og velkommen.\r\n\r\n"
    "2\r\n00:00:02,600 --> 00:00:04,000\r\nSpeaker 1: Hvordan <i>gikk</i> det?\r\n\r\n"
    "3\r\n00:00:04,500 --> 00:00:07,000\r\nSpeaker 2: Det gikk bra,\r\ntakk.\r\n"
)

SRT_NO_SPEAKER = (
    "1\n00:00:01,000 --> 00:00:02,000\nDette er første linje\n\n"
    "2\n00:00:02,100 --> 00:00:03,000\nsom fortsetter her.\n\n"
    "3\n00:00:10,000 --> 00:00:12,000\nEn ny del etter en pause.\n"
)

CSV = (
    "intervju;taler;tekst;start\n"
    "A;I;Hva gjør dere?;0.5\n"
    'A;Kari;"Vi lager ting; mye ting.";2\n'
    "B;I;Og dere?;00:00:03\n"
    "B;Ola;Vi selger dem.;00:00:05\n"
)

JSONL = (
    '{"speaker": "Intervjuer", "text": "Hvordan startet det?", "start": 1.0}\n'
    '{"speaker": "Informant", "text": "Med et møte på [sted].", "start": 3.5}\n'
)


def main() -> None:
    (HERE / "nb_utf8.txt").write_text(NB, encoding="utf-8")
    (HERE / "nb_bom.txt").write_bytes(b"\xef\xbb\xbf" + NB.encode("utf-8"))
    (HERE / "nb_utf16.txt").write_bytes(NB.encode("utf-16"))  # with BOM
    (HERE / "nb_utf16le_nobom.txt").write_bytes(NB.encode("utf-16-le"))
    (HERE / "da_utf8.txt").write_text(DA, encoding="utf-8")
    (HERE / "nn_cp1252.txt").write_bytes(CP1252.encode("cp1252"))
    (HERE / "nb_mojibake.txt").write_bytes(NB.encode("utf-8").decode("cp1252").encode("utf-8"))
    (HERE / "initials.txt").write_text(INITIALS, encoding="utf-8")
    (HERE / "timestamps.txt").write_text(TIMESTAMPS, encoding="utf-8")
    (HERE / "no_turns.txt").write_text(NO_TURNS, encoding="utf-8")
    (HERE / "pdf_like.txt").write_text(PDF_LIKE, encoding="utf-8")
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (HERE / "not_a_zip.docx").write_text("Intervjuer: dette er egentlig en tekstfil\n", encoding="utf-8")
    with zipfile.ZipFile(HERE / "no_document.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/styles.xml", "<styles/>")
    (HERE / "voices.vtt").write_text(VTT, encoding="utf-8")
    (HERE / "speakers.srt").write_bytes(SRT.encode("utf-8"))
    (HERE / "no_speakers.srt").write_text(SRT_NO_SPEAKER, encoding="utf-8")
    (HERE / "turns.csv").write_bytes(CSV.encode("cp1252"))
    (HERE / "rows.jsonl").write_text(JSONL, encoding="utf-8")
    import docx

    d = docx.Document()
    d.add_paragraph("Intervju 4, Hamar, mars 2021")
    p = d.add_paragraph()
    p.add_run("Intervjuer").bold = True
    p.add_run(" Hva gjør dere i klyngen?")
    p = d.add_paragraph()
    p.add_run("Informant 4:").bold = True
    p.add_run(" Vi deler kunnskap med [bedrift] på [sted].")
    table = d.add_table(rows=2, cols=3)
    for i, row in enumerate(
        [("00:10:01", "I", "Og hvordan gikk det?"), ("00:10:05", "R", "Bra, XX prosent vekst.")]
    ):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    d.save(HERE / "turns.docx")


if __name__ == "__main__":
    main()
