"""Build the small REFI-QDA projects in this folder, each in the form one program writes.

Run from the repository root: ``python tests/data/refi/build_fixtures.py``. The projects are written by hand here
(not by nlp.refi) from what the REFI-QDA standard and the programs' own exports show, and every position is computed
from the phrase it must select under that program's convention, independently of the importer under test:

- ``nvivo.qdpx`` (NVivo 14, Windows): UTF-8 with BOM, CRLF line breaks counted as two, positions in UTF-16 units
  (an emoji before codings counts two), selection and coding by different users, a code tree four levels deep with
  colours, a non-codable folder, two codes of the same name, a memo as a ``<Note>`` stored as a text file, a source
  whose text is missing from the archive, and a PDF source.
- ``atlas.qdpx`` (ATLAS.ti 23): CRLF text counted as one position per line break, upper-case GUIDs in braces.
- ``maxqda.qdpx`` (MAXQDA 24): LF text, code points (an emoji counts one), a bare ``plainTextPath`` inside the
  archive.
- ``qualitative-coding.qdpx`` (qualitative-coding 1.x): CRLF text counted as one, though the program's name gives no
  hint: only the evidence tells.
- ``qualcoder.qdpx`` (QualCoder 3.5): UTF-8 with BOM, LF, code points, categories as non-codable codes.

``EXPECTED`` below lists, per fixture and source, the phrases the codings select; the tests read it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).parent
NS = "urn:QDA-XML:project:1.0"

KARI, OLA = "5C94BC9E-DB8C-4F1D-9CD6-E900C7440860", "A1B2C3D4-0000-4000-8000-00000000000B"
NVIVO_TEXT = (
    "Intervjuer: Hvordan samarbeider dere? 😀\r\n"
    "Informant: Vi stoler på kommunen 👍 og deler kunnskap.\r\n"
    "Informant: Kostnadene er høye, og tiden strekker ikke til 🙁.\r\n"
)
ATLAS_TEXT = "I: Hva hemmer dere?\r\nR: Mangel på tid.\r\nR: Og kostnader.\r\n"
MAXQDA_TEXT = "I: Fortell om nettverket 🌍.\nR: Vi deler kunnskap hver uke.\nR: Tilliten er stor.\n"
QC_TEXT = "Line one about trust.\r\nLine two about costs.\r\nLine three about time.\r\n"
QUALCODER_TEXT = "Spørsmål: Hvem samarbeider dere med?\nSvar: Universitetet og andre bedrifter.\n"

#: fixture -> source name -> [(phrase, code name, coder name)] in document order
EXPECTED = {
    "nvivo": {
        "Intervju 1": [
            ("Vi stoler på kommunen", "Kommunen", "Ola Hansen"),
            ("deler kunnskap", "Samarbeid", "Kari Nordmann"),
            ("Kostnadene er høye", "Kostnader", "Ola Hansen"),
            ("tiden strekker ikke til", "Tillit", "Kari Nordmann"),
        ]
    },
    "atlas": {"Intervju A": [("Mangel på tid", "Tid", "Kari"), ("Og kostnader", "Kostnad", "Kari")]},
    "maxqda": {
        "Intervju M": [
            ("Vi deler kunnskap", "Kunnskapsdeling", "MAXQDA-bruker"),
            ("Tilliten er stor", "Tillit", "MAXQDA-bruker"),
        ]
    },
    "qualitative-coding": {
        "notes.txt": [("Line two about costs", "costs", "chris"), ("Line three about time", "time", "chris")]
    },
    "qualcoder": {"Intervju Q": [("Universitetet og andre bedrifter", "Partnere", "default")]},
}


def utf16_units(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def crlf_as_one(text: str, i: int) -> int:
    return len(text[:i].replace("\r\n", "\n"))


def _span(text: str, phrase: str) -> tuple[int, int]:
    i = text.index(phrase)
    return i, i + len(phrase)


def _selection(
    guid: str, start: int, end: int, code: str, sel_user: str, coding_user: str | None = None
) -> str:
    coder = f' creatingUser="{coding_user}"' if coding_user else ""
    return (
        f'<PlainTextSelection guid="{guid}" name="" startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{sel_user}" creationDateTime="2024-03-01T10:00:00Z">'
        f'<Coding guid="{guid[:-4]}C0DE"{coder} creationDateTime="2024-03-01T10:00:00Z">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def _write(name: str, qde: str, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(HERE / f"{name}.qdpx", "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("project.qde", date_time=(2024, 3, 1, 10, 0, 0))
        zf.writestr(info, qde.encode("utf-8"), zipfile.ZIP_DEFLATED)
        for member, data in members.items():
            zf.writestr(zipfile.ZipInfo(member, date_time=(2024, 3, 1, 10, 0, 0)), data, zipfile.ZIP_DEFLATED)


def nvivo() -> None:
    codes = {
        "Samarbeid": "0B1E0000-0000-4000-8000-000000000001",
        "Tillit": "0B1E0000-0000-4000-8000-000000000002",
        "Offentlige": "0B1E0000-0000-4000-8000-000000000003",
        "Kommunen": "0B1E0000-0000-4000-8000-000000000004",
        "Barrierer": "0B1E0000-0000-4000-8000-000000000005",
        "Kostnader": "0B1E0000-0000-4000-8000-000000000006",
        "Tid": "0B1E0000-0000-4000-8000-000000000007",
        "Tillit2": "0B1E0000-0000-4000-8000-000000000008",
    }
    memo = "0B1E0000-0000-4000-8000-00000000AAAA"
    tree = (
        f'<Code guid="{codes["Samarbeid"]}" name="Samarbeid" isCodable="true" color="#1F77B4">'
        "<Description>Samarbeid mellom bedrifter.</Description>"
        f'<NoteRef targetGUID="{memo}"/>'
        f'<Code guid="{codes["Tillit"]}" name="Tillit" isCodable="true" color="#FF7F0E">'
        f'<Code guid="{codes["Offentlige"]}" name="Tillit til offentlige aktører" isCodable="true">'
        "<Description>Tillit til kommune, fylke og stat.</Description>"
        f'<Code guid="{codes["Kommunen"]}" name="Kommunen" isCodable="true" color="#2CA02C"/>'
        "</Code></Code></Code>"
        f'<Code guid="{codes["Barrierer"]}" name="Barrierer" isCodable="false">'
        f'<Code guid="{codes["Kostnader"]}" name="Kostnader" isCodable="true" color="#D62728"/>'
        f'<Code guid="{codes["Tid"]}" name="Tid" isCodable="true"/>'
        f'<Code guid="{codes["Tillit2"]}" name="Tillit" isCodable="true"/>'
        "</Code>"
    )
    text = NVIVO_TEXT
    which = {
        "Kommunen": codes["Kommunen"],
        "Samarbeid": codes["Samarbeid"],
        "Kostnader": codes["Kostnader"],
        "Tillit": codes["Tillit"],
    }
    users = {"Kari Nordmann": KARI, "Ola Hansen": OLA}
    sels = []
    for k, (phrase, code, coder) in enumerate(EXPECTED["nvivo"]["Intervju 1"]):
        a, b = _span(text, phrase)
        other = KARI if coder == "Ola Hansen" else OLA  # NVivo: the selection's user is often someone else
        sels.append(
            _selection(
                f"5E1E0000-0000-4000-8000-00000000{k:04d}",
                utf16_units(text, a),
                utf16_units(text, b),
                which[code],
                other,
                users[coder],
            )
        )
    src = "50000000-0000-4000-8000-000000000001"
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="Klynger NVivo" '
        f'origin="NVivo 14.23.0 (Windows)" creatingUserGUID="{KARI}">'
        f'<Users><User guid="{KARI}" name="Kari Nordmann"/><User guid="{OLA}" name="Ola Hansen"/></Users>'
        f"<CodeBook><Codes>{tree}</Codes></CodeBook><Sources>"
        f'<TextSource guid="{src}" name="Intervju 1" plainTextPath="internal://{src}.txt" '
        f'richTextPath="internal://{src}.docx" creatingUser="{KARI}"><Description>Første intervju.</Description>'
        f"{''.join(sels)}</TextSource>"
        '<TextSource guid="50000000-0000-4000-8000-000000000002" name="Intervju 2" '
        'plainTextPath="internal://50000000-0000-4000-8000-000000000002.txt"/>'
        '<PDFSource guid="50000000-0000-4000-8000-000000000003" name="Rapport" '
        'path="internal://50000000-0000-4000-8000-000000000003.pdf"/>'
        f'</Sources><Notes><Note guid="{memo}" name="Memo om samarbeid" plainTextPath="internal://{memo}.txt"'
        f' creatingUser="{KARI}"/></Notes></Project>'
    )
    _write(
        "nvivo",
        qde,
        {
            f"sources/{src}.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
            f"sources/{src}.docx": b"PK not a real docx",
            f"sources/{memo}.txt": "Samarbeid er koden for alt\r\nsom deles.".encode("utf-8-sig"),
        },
    )


def atlas() -> None:
    text = ATLAS_TEXT
    kari = "{8D6F2B2E-6B4C-4A36-9D2C-4E2B1C1F0A01}"
    tid, kost = "{A7C1E1B0-1111-4222-8333-444455556666}", "{A7C1E1B0-1111-4222-8333-444455557777}"
    sels = "".join(
        _selection(
            f"5E1A0000-0000-4000-8000-00000000{k:04d}",
            crlf_as_one(text, _span(text, p)[0]),
            crlf_as_one(text, _span(text, p)[1]),
            tid if code == "Tid" else kost,
            kari,
        )
        for k, (p, code, _) in enumerate(EXPECTED["atlas"]["Intervju A"])
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="atlas" origin="ATLAS.ti 23.2.1">'
        f'<Users><User guid="{kari}" name="Kari"/></Users><CodeBook><Codes>'
        '<Code guid="{A7C1E1B0-1111-4222-8333-444455550000}" name="Barrierer" isCodable="true" color="#a0a0a0">'
        f'<Code guid="{tid}" name="Tid" isCodable="true" color="#00ff00"/>'
        f'<Code guid="{kost}" name="Kostnad" isCodable="true"><Description>Penger.</Description></Code>'
        '</Code></Codes></CodeBook><Sources><TextSource guid="{5A000000-0000-4000-8000-000000000001}" '
        f'name="Intervju A" plainTextPath="internal://intervju-a.txt">{sels}</TextSource></Sources></Project>'
    )
    _write("atlas", qde, {"sources/intervju-a.txt": text.encode("utf-8")})


def maxqda() -> None:
    text = MAXQDA_TEXT
    user = "11111111-2222-4333-8444-555555555555"
    codes = {
        "Kunnskapsdeling": "C0DE0000-0000-4000-8000-000000000001",
        "Tillit": "C0DE0000-0000-4000-8000-000000000002",
    }
    sels = "".join(
        _selection(f"5E3A0000-0000-4000-8000-00000000{k:04d}", *_span(text, p), codes[code], user)
        for k, (p, code, _) in enumerate(EXPECTED["maxqda"]["Intervju M"])
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="mx" origin="MAXQDA 24 (Release '
        f'24.4.0)"><Users><User guid="{user}" name="MAXQDA-bruker"/></Users><CodeBook><Codes>'
        f'<Code guid="{codes["Kunnskapsdeling"]}" name="Kunnskapsdeling" isCodable="true" color="#ff0000"/>'
        f'<Code guid="{codes["Tillit"]}" name="Tillit" isCodable="true" color="#0000ff"/>'
        '</Codes></CodeBook><Sources><TextSource guid="5A000000-0000-4000-8000-000000000001" '
        f'name="Intervju M" plainTextPath="intervju-m.txt">{sels}</TextSource></Sources></Project>'
    )
    _write("maxqda", qde, {"sources/intervju-m.txt": text.encode("utf-8")})


def qualitative_coding() -> None:
    text = QC_TEXT
    user = "9e0f6a8e-5a55-4bd5-8a7e-0a3f9b0c0d01"
    codes = {"costs": "c0de0000-0000-4000-8000-0000000000c1", "time": "c0de0000-0000-4000-8000-0000000000c2"}
    sels = "".join(
        _selection(
            f"5e4a0000-0000-4000-8000-00000000{k:04d}",
            crlf_as_one(text, _span(text, p)[0]),
            crlf_as_one(text, _span(text, p)[1]),
            codes[code],
            user,
        )
        for k, (p, code, _) in enumerate(EXPECTED["qualitative-coding"]["notes.txt"])
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="qc" origin="qualitative-coding">'
        f'<Users><User guid="{user}" name="chris"/></Users><CodeBook><Codes>'
        f'<Code guid="{codes["costs"]}" name="costs" isCodable="true"/>'
        f'<Code guid="{codes["time"]}" name="time" isCodable="true"/></Codes></CodeBook><Sources>'
        '<TextSource guid="5a000000-0000-4000-8000-000000000001" name="notes.txt" '
        f'plainTextPath="internal://notes.txt">{sels}</TextSource></Sources></Project>'
    )
    _write("qualitative-coding", qde, {"sources/notes.txt": text.encode("utf-8")})


def qualcoder() -> None:
    text = QUALCODER_TEXT
    phrase, code, _ = EXPECTED["qualcoder"]["Intervju Q"][0]
    a, b = _span(text, phrase)
    sel = (
        f'<PlainTextSelection guid="5e5a0000-0000-4000-8000-000000000001" startPosition="{a}" '
        f'endPosition="{b}" creatingUser="d0000000-0000-4000-8000-000000000001">'
        '<Coding guid="5e5a0000-0000-4000-8000-00000000c0de" creatingUser="d0000000-0000-4000-8000-000000000001">'
        '<CodeRef targetGUID="c0de0000-0000-4000-8000-0000000000a1"/></Coding></PlainTextSelection>'
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="qcoder" origin="QualCoder 3.5">'
        '<Users><User guid="d0000000-0000-4000-8000-000000000001" name="default"/></Users><CodeBook><Codes>'
        '<Code guid="c0de0000-0000-4000-8000-0000000000a0" name="Aktører" isCodable="false">'
        "<Description>Kategori</Description>"
        f'<Code guid="c0de0000-0000-4000-8000-0000000000a1" name={quoteattr(code)} isCodable="true" '
        'color="#F781F3"/></Code></Codes></CodeBook><Sources>'
        '<TextSource guid="5a000000-0000-4000-8000-000000000001" name="Intervju Q" '
        f'plainTextPath="internal://intervju-q.txt">{sel}</TextSource></Sources></Project>'
    )
    _write("qualcoder", qde, {"sources/intervju-q.txt": text.encode("utf-8-sig")})


if __name__ == "__main__":
    nvivo()
    atlas()
    maxqda()
    qualitative_coding()
    qualcoder()
