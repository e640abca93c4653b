"""XLIFF 1.2 for translation agencies, made and read with translate-toolkit.

One ``trans-unit`` per answer: the unit id is the answer's key, the source is the
applicant's answer in their own script, the question goes in a context group and a
note (in the applicant's language and in Dutch), and dates and choices get a note on
how to treat them. The ``<file original>`` names the job, so a file of another job is
recognised. translate-toolkit writes XLIFF 1.2 well; its XLIFF 2.0 writer puts notes
inside segments, which the 2.0 schema forbids, so 1.2 it is.
"""

from dataclasses import dataclass
from typing import Any

from lxml import etree
from translate.storage import xliff

from service.translation.items import AnswerItem, recording_path

MEDIA_TYPE = "application/xliff+xml"
NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"


class _Xliff12Unit(xliff.xliffunit):
    namespace = NAMESPACE


class Xliff12File(xliff.xlifffile):  # type: ignore[type-arg]
    """translate-toolkit's XLIFF store, declaring version 1.2 (its default says 1.1)."""

    UnitClass = _Xliff12Unit
    namespace = NAMESPACE
    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version='1.2' xmlns='{NAMESPACE}'>
<file original='NoName' source-language='en' datatype='plaintext'>
<body>
</body>
</file>
</xliff>"""


def file_name(job_id: Any) -> str:
    return f"translation-{job_id}"


def make(job_id: Any, source_language: str, items: list[AnswerItem]) -> bytes:
    """The job as an XLIFF 1.2 document (UTF-8)."""
    store = Xliff12File(sourcelanguage=source_language, targetlanguage="nl")
    store.switchfile(file_name(job_id), createifmissing=True)
    store.setsourcelanguage(source_language)
    store.settargetlanguage("nl")
    for item in items:
        unit = store.UnitClass(item.text)
        store.addunit(unit)
        unit.setid(item.key)
        unit.createcontextgroup(
            "question",
            [("x-question", item.question), ("x-question-nl", item.question_nl)],
            purpose="information",
        )
        unit.addnote(f"Question: {item.question_nl}", origin="developer")
        if item.note:
            unit.addnote(item.note, origin="developer")
        if item.recording_sha256:  # a spoken answer: its recording in the package
            unit.createcontextgroup(
                "recording",
                [("x-recording", recording_path(item.key)), ("x-sha256", item.recording_sha256)],
                purpose="information",
            )
    return bytes(store)


@dataclass(frozen=True)
class ReadUnit:
    key: str
    source: str
    target: str
    # A spoken answer's transcription: the unit's <note from="transcription">.
    transcription: str = ""


@dataclass(frozen=True)
class ReadFile:
    files: list[str]
    units: list[ReadUnit]


def _transcription(element: Any) -> str:
    notes = element.findall(f"{{{NAMESPACE}}}note") + element.findall("note")
    return "".join(
        "".join(note.itertext()) for note in notes if note.get("from") == "transcription"
    )


class UnreadableFile(ValueError):
    """Not a readable XLIFF document (encoding, XML or structure)."""


def read(data: bytes) -> ReadFile:
    """Parse an uploaded XLIFF file; raise ``UnreadableFile`` with the reason."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file is not UTF-8 (byte {exc.start} cannot be read); save it as UTF-8"
        ) from exc
    try:
        store = xliff.xlifffile.parsestring(data)  # type: ignore[no-untyped-call]
    except (etree.XMLSyntaxError, ValueError, AttributeError) as exc:
        raise UnreadableFile(f"not a readable XLIFF file: {exc}") from exc
    root = store.document.getroot()
    if etree.QName(root).localname != "xliff":
        raise UnreadableFile("not an XLIFF file: the root element is not <xliff>")
    units = [
        # getid() prefixes the file name when there are several: the raw id is wanted.
        ReadUnit(
            str(unit.xmlelement.get("id") or ""),
            str(unit.source or ""),
            str(unit.target or ""),
            _transcription(unit.xmlelement),
        )
        for unit in store.getunits()
    ]
    return ReadFile(files=list(store.getfilenames()), units=units)


def make_texts(
    name: str, source_language: str, target_language: str, texts: list[tuple[str, str, str]]
) -> bytes:
    """A form draft's texts (key, source, why: missing or stale) as XLIFF 1.2."""
    store = Xliff12File(sourcelanguage=source_language, targetlanguage=target_language)
    store.switchfile(name, createifmissing=True)
    store.setsourcelanguage(source_language)
    store.settargetlanguage(target_language)
    for key, source, why in texts:
        unit = store.UnitClass(source)
        store.addunit(unit)
        unit.setid(key)
        unit.addnote(f"Text of the questionnaire ({why})", origin="developer")
    return bytes(store)
