"""Bibliographic XML in the WIPO ST.36 style and CNIPA's variant of it (cn-* elements).

Read with iterparse, one record at a time: each record element is cleared once read, and the
root forgets it, so memory stays bounded whatever the file size. The element paths read are
listed in docs/data-formats.md. Names are matched without their namespace.

A record yields the same fields as a table row (see `mapping.PATENT_HEADERS`), so the same
checks apply to both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

from zhichan.ipdata.importers.tables import FileProblem

RECORDS = {"patent-document", "cn-patent-document"}
GRANT_KINDS = {"B", "C"}  # an invention's grant: the publication fields keep the A document
SAME_DOCUMENT_KINDS = {"U", "Y", "S"}  # utility models and designs are published when granted
_IPC_START = re.compile(r"^\s*([A-H]\d{2}[A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _children(elem, name: str):
    return [child for child in elem if local(child.tag) == name]


def _child(elem, *names: str):
    """The first direct child with one of `names` (tried in order), or None."""
    if elem is None:
        return None
    for name in names:
        for child in elem:
            if local(child.tag) == name:
                return child
    return None


def _path(elem, *steps: str):
    """Follow child names; each step may be "a|b" for either."""
    for step in steps:
        elem = _child(elem, *step.split("|"))
        if elem is None:
            return None
    return elem


def _text(elem) -> str:
    if elem is None:
        return ""
    return re.sub(r"\s+", " ", "".join(elem.itertext())).strip()


def _either(*elems):
    """The first element that is not None (an Element's truth value counts its children)."""
    return next((e for e in elems if e is not None), None)


def _descendants(elem, name: str):
    return [e for e in elem.iter() if local(e.tag) == name]


def _document_id(reference) -> dict:
    doc = _child(reference, "document-id")
    return {
        "country": _text(_child(doc, "country")),
        "number": _text(_child(doc, "doc-number")),
        "kind": _text(_child(doc, "kind")),
        "date": _text(_child(doc, "date")),
    }


def _ipc(classification) -> str:
    """An IPC code from <classification-ipcr>: its <text> (fixed-width or free) or its parts."""
    text = _text(_child(classification, "text"))
    if text:
        match = _IPC_START.match(text)
        return f"{match.group(1)} {match.group(2)}/{match.group(3)}" if match else text
    parts = [
        _text(_child(classification, name))
        for name in ("section", "class", "subclass", "main-group", "subgroup")
    ]
    if not any(parts):
        return _text(classification)
    section, klass, subclass, group, subgroup = parts
    return f"{section}{klass}{subclass} {group}/{subgroup}"


def _party_name(party) -> str:
    book = _either(_child(party, "addressbook"), party)
    name = _text(_child(book, "name")) or _text(_child(book, "orgname"))
    if not name:
        name = (_text(_child(book, "last-name")) + _text(_child(book, "first-name"))).strip()
    return name


def _party_address(party) -> str:
    book = _either(_child(party, "addressbook"), party)
    address = _child(book, "address")
    if address is None:
        return ""
    text = _text(_child(address, "text"))
    if text:
        return text
    return "".join(_text(part) for part in address)


def _sequenced(parties):
    def key(item):
        position, party = item
        try:
            return int(party.get("sequence", "")), position
        except ValueError:
            return 10**6, position

    return [party for _pos, party in sorted(enumerate(parties), key=key)]


def _parties(record) -> dict:
    biblio = _child(record, "cn-bibliographic-data", "bibliographic-data")
    parties = _child(biblio, "cn-parties", "parties")
    values: dict = {}
    if parties is None:
        return values
    group = _child(parties, "cn-applicants", "applicants")
    if group is not None:
        applicants = _sequenced(_children(group, "cn-applicant") + _children(group, "applicant"))
        values["applicants"] = [_party_name(a) for a in applicants if _party_name(a)]
        addresses = [_party_address(a) for a in applicants]
        values["address"] = next((a for a in addresses if a), "")
    group = _child(parties, "cn-inventors", "inventors")
    if group is not None:
        inventors = _sequenced(_children(group, "cn-inventor") + _children(group, "inventor"))
        values["inventors"] = [_party_name(i) for i in inventors if _party_name(i)]
    group = _child(parties, "cn-agents", "agents")
    if group is not None:
        agency = _child(group, "cn-agency")
        agents = _sequenced(_children(group, "cn-agent") + _children(group, "agent"))
        names = []
        for agent in agents:
            book = _either(_child(agent, "addressbook"), agent)
            if agency is None and _text(_child(book, "orgname")):
                agency = book
            name = _text(_child(book, "name")) or (
                _text(_child(book, "last-name")) + _text(_child(book, "first-name"))
            )
            if name:
                names.append(name)
        values["agents"] = names
        if agency is not None:
            values["agency"] = _text(_either(_child(agency, "orgname", "name"), agency))
    return values


def _publication(doc: dict) -> str:
    """CN104805195A from country, number and kind, whichever of them the number already carries."""
    country = (doc["country"] or "CN").upper()
    number = re.sub(r"\s", "", doc["number"]).upper()
    kind = doc["kind"].upper()
    if not number:
        return ""
    if number.startswith(country):
        number = number[len(country) :]
    if kind and number.endswith(kind):
        number = number[: -len(kind)]
    return f"{country}{number}{kind}"


def record_values(record) -> dict:
    """The fields of one <patent-document> or <cn-patent-document> element, as raw text."""
    biblio = _child(record, "cn-bibliographic-data", "bibliographic-data")
    if biblio is None:
        biblio = record
    values: dict = {}
    application = _child(biblio, "cn-application-reference", "application-reference")
    if application is not None:
        doc = _document_id(application)
        values["application_number"] = doc["number"]
        values["application_date"] = doc["date"]
        if application.get("appl-type"):
            values["patent_type"] = application.get("appl-type")
    publication = _child(biblio, "cn-publication-reference", "publication-reference")
    if publication is not None:
        doc = _document_id(publication)
        if not doc["number"]:
            doc.update(number=record.get("doc-number", ""), kind=record.get("kind", ""))
        number = _publication(doc)
        kind = doc["kind"][:1].upper()
        if kind in GRANT_KINDS:
            values.update(grant_number=number, grant_date=doc["date"])
        else:
            values.update(publication_number=number, publication_date=doc["date"])
            if kind in SAME_DOCUMENT_KINDS:
                values.update(grant_number=number, grant_date=doc["date"])
    title = None
    for candidate in _children(biblio, "invention-title"):
        if title is None or candidate.get("lang", "").lower() == "zh":
            title = candidate
    if title is not None:
        values["title"] = _text(title)
    ipcr = _child(biblio, "classifications-ipcr")
    if ipcr is not None:
        codes = [_ipc(c) for c in _children(ipcr, "classification-ipcr")]
        values["ipc_codes"] = [c for c in codes if c]
        if values["ipc_codes"]:
            values["main_ipc"] = values["ipc_codes"][0]
    else:
        ipc = _child(biblio, "classification-ipc")
        if ipc is not None:
            main = _text(_child(ipc, "main-classification"))
            further = [_text(e) for e in _children(ipc, "further-classification")]
            values["ipc_codes"] = [c for c in [main, *further] if c]
            values["main_ipc"] = main
    values.update(_parties(record))
    abstract = _either(_child(record, "abstract"), _child(biblio, "abstract"))
    if abstract is not None:
        paragraphs = _children(abstract, "p")
        values["abstract"] = "\n".join(_text(p) for p in paragraphs) if paragraphs else _text(abstract)
    claims = _child(record, "claims")
    if claims is not None:
        first = next(iter(_descendants(claims, "claim")), None)
        values["claims"] = _text(first if first is not None else claims)
    status = _either(
        _child(biblio, "cn-legal-status", "legal-status"), _child(record, "cn-legal-status", "legal-status")
    )
    if status is not None:
        values["legal_status_text"] = _text(_child(status, "status-text")) or _text(status)
    return values


class XmlReader:
    """Records of an ST.36-style file, with their ordinal as the row number."""

    columns: dict[str, str] = {}
    unknown: list[str] = []

    def __init__(self, path):
        self.path = Path(path)
        self.columns = {}

    def rows(self) -> Iterator[tuple[int, dict]]:
        ordinal = 0
        root = None
        try:
            for event, elem in iterparse(str(self.path), events=("start", "end"), forbid_dtd=False):
                if event == "start":
                    if root is None:
                        root = elem
                    continue
                if local(elem.tag) not in RECORDS:
                    continue
                ordinal += 1
                values = record_values(elem)
                elem.clear()
                if root is not None and root is not elem:
                    root.clear()  # drop the records already read
                yield ordinal, values
        except DefusedXmlException as exc:
            raise FileProblem(
                _("The XML file uses entities or external references, which are refused.")
            ) from exc
        except SyntaxError as exc:  # ElementTree.ParseError
            raise FileProblem(_("The XML file is malformed: %(error)s") % {"error": exc}) from exc
        if ordinal == 0:
            raise FileProblem(
                _(
                    "No patent records found: "
                    "the XML needs <patent-document> or <cn-patent-document> elements."
                )
            )
