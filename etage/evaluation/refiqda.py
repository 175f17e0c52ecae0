"""REFI-QDA codebook exchange (``.qdc``), independent of the database.

A ``.qdc`` file is the REFI-QDA Codebook XML (namespace
``urn:QDA-XML:codebook:1.0``) that NVivo, ATLAS.ti, MAXQDA, QualCoder and
Taguette read and write. The standard gives a code only a name, a colour, an
``isCodable`` flag, children and one free ``Description``; ETAGE codes also
carry include/exclude criteria and an example. Those are folded into the
description so that other tools show them to their users, with this layout (headings in
the exporting person's interface language, French or English, read back in either)::

    <definition>

    Critères d'inclusion :
    <include criteria>

    Critères d'exclusion :
    <exclude criteria>

    Exemple :
    <example>

Each heading line is preceded by a blank line, and a part is written only when
it is not empty. A line of the user's own text that is exactly a heading is
escaped with one more leading backslash (``\\Exemple :``), and the import
removes one backslash from such lines, so any text survives the round trip.
A description written by another tool without headings is read back as the
definition alone.

Sets (``<Sets>``) are read past and not kept: ETAGE has no code groups.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

NAMESPACE = "urn:QDA-XML:codebook:1.0"
ORIGIN = "ETAGE"
# A codebook of a few hundred codes weighs tens of kilobytes; the cap bounds
# what a hostile upload can make the parser chew on.
MAX_QDC_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 50

# The headings are written in the exporting person's language (through the catalogue) and
# read back in either language: a file exported in English imports in French and back.
# Reading never depends on the catalogue: both spellings of each heading are fixed here.
INCLUDE_HEADING = "Critères d'inclusion :"
EXCLUDE_HEADING = "Critères d'exclusion :"
EXAMPLE_HEADING = "Exemple :"
INCLUDE_HEADING_EN = gettext_noop("Inclusion criteria:")
EXCLUDE_HEADING_EN = gettext_noop("Exclusion criteria:")
EXAMPLE_HEADING_EN = gettext_noop("Example:")
#: Every heading read, in either language → the French heading that names its part.
_PART_OF = {
    INCLUDE_HEADING: INCLUDE_HEADING,
    EXCLUDE_HEADING: EXCLUDE_HEADING,
    EXAMPLE_HEADING: EXAMPLE_HEADING,
    INCLUDE_HEADING_EN: INCLUDE_HEADING,
    EXCLUDE_HEADING_EN: EXCLUDE_HEADING,
    EXAMPLE_HEADING_EN: EXAMPLE_HEADING,
}
_HEADINGS = tuple(_PART_OF)
_HEADING_ALTERNATION = "|".join(re.escape(h) for h in _HEADINGS)
_ESCAPED_HEADING_RE = re.compile(rf"^(\\*)({_HEADING_ALTERNATION})$")

# Same patterns as GUIDType and RGBType in the REFI-QDA schema.
_HEX = "[0-9a-fA-F]"
_GUID_RE = re.compile(
    rf"^(?:{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
    rf"|\{{{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\}})$"
)
_COLOR_RE = re.compile(r"^#(?:[A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


class QdcError(ValueError):
    """A codebook that cannot be written or read; the message is for users."""


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


@dataclass
class Code:
    guid: str
    name: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    color: str | None = None
    is_codable: bool = True
    children: list[Code] = field(default_factory=list)

    def walk(self) -> Iterator[Code]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Codebook:
    codes: list[Code] = field(default_factory=list)
    origin: str = ORIGIN

    def walk(self) -> Iterator[Code]:
        for code in self.codes:
            yield from code.walk()


# --- Description folding -------------------------------------------------


def _escape_headings(text: str) -> str:
    return "\n".join(
        _ESCAPED_HEADING_RE.sub(lambda m: "\\" + m.group(1) + m.group(2), line)
        for line in text.split("\n")
    )


def fold_description(code: Code) -> str:
    parts: list[str] = []
    if code.definition:
        parts.append(_escape_headings(code.definition))
    for heading, text in (
        (_(INCLUDE_HEADING_EN), code.include),
        (_(EXCLUDE_HEADING_EN), code.exclude),
        (_(EXAMPLE_HEADING_EN), code.example),
    ):
        if text:
            parts.append(f"{heading}\n{_escape_headings(text)}")
    return "\n\n".join(parts)


def unfold_description(description: str) -> tuple[str, str, str, str]:
    """Return (definition, include, exclude, example)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in description.split("\n"):
        if line in _PART_OF:
            # The blank line before a heading is the separator, not content.
            if sections[current] and sections[current][-1] == "":
                sections[current].pop()
            current = _PART_OF[line]
            sections.setdefault(current, [])
            continue
        match = _ESCAPED_HEADING_RE.match(line)
        if match and match.group(1):
            line = line[1:]
        sections[current].append(line)
    texts = {key: "\n".join(lines) for key, lines in sections.items()}
    return (
        texts.get("", ""),
        texts.get(INCLUDE_HEADING, ""),
        texts.get(EXCLUDE_HEADING, ""),
        texts.get(EXAMPLE_HEADING, ""),
    )


# --- Export ----------------------------------------------------------------


def _code_element(parent: etree._Element, code: Code) -> None:
    if not _GUID_RE.match(code.guid):
        raise QdcError(_("The code “%(name)s” has an invalid identifier.") % {"name": code.name})
    if code.color is not None and not _COLOR_RE.match(code.color):
        raise QdcError(_("The code “%(name)s” has an invalid colour.") % {"name": code.name})
    try:
        element = etree.SubElement(parent, _q("Code"))
        element.set("guid", code.guid)
        element.set("name", code.name)
        element.set("isCodable", "true" if code.is_codable else "false")
        if code.color is not None:
            element.set("color", code.color)
        description = fold_description(code)
        if description:
            etree.SubElement(element, _q("Description")).text = description
    except ValueError as exc:
        # lxml refuses control characters that XML 1.0 cannot carry.
        raise QdcError(
            _("The code “%(name)s” contains characters that XML cannot carry.")
            % {"name": code.name}
        ) from exc
    for child in code.children:
        _code_element(element, child)


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """Serialise to REFI-QDA Codebook XML, UTF-8."""
    if not codebook.codes:
        # The schema requires at least one Code under Codes.
        raise QdcError(_("The codebook is empty: there is nothing to export."))
    guids = [code.guid for code in codebook.walk()]
    if len(set(guids)) != len(guids):
        raise QdcError(_("Two codes of the codebook share the same identifier."))
    root = etree.Element(_q("CodeBook"), nsmap={None: NAMESPACE})
    root.set("origin", codebook.origin)
    codes = etree.SubElement(root, _q("Codes"))
    for code in codebook.codes:
        _code_element(codes, code)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- Import ----------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network, no huge trees: the
    # classic XXE and billion-laughs vectors. A DOCTYPE is refused outright
    # after parsing, so entity declarations never reach the code below.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _invalid(reason: str) -> QdcError:
    return QdcError(
        _("This file is not a valid REFI-QDA codebook (.qdc): %(reason)s") % {"reason": reason}
    )


def _children(element: etree._Element) -> list[etree._Element]:
    children = []
    for child in element:
        if not isinstance(child.tag, str):
            raise _invalid(_("it contains entity references."))
        children.append(child)
    return children


def _parse_bool(value: str | None) -> bool:
    text = (value or "").strip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise _invalid(_("the isCodable attribute must be true or false."))


def _read_code(element: etree._Element, depth: int, seen: set[str]) -> Code:
    if depth > MAX_DEPTH:
        raise _invalid(_("the code hierarchy is too deep."))
    guid = (element.get("guid") or "").strip()
    if not _GUID_RE.match(guid):
        raise _invalid(_("a code has a missing or invalid identifier (guid)."))
    if guid in seen:
        raise _invalid(_("two codes share the same identifier (guid)."))
    seen.add(guid)
    name = element.get("name")
    if name is None:
        raise _invalid(_("a code has no name."))
    color = element.get("color")
    if color is not None:
        color = color.strip()
        if not _COLOR_RE.match(color):
            raise _invalid(_("a code has an invalid colour."))
    code = Code(guid=guid, name=name, color=color, is_codable=_parse_bool(element.get("isCodable")))
    seen_description = False
    for child in _children(element):
        if child.tag == _q("Description") and not seen_description and not code.children:
            seen_description = True
            if len(child):
                raise _invalid(_("a description contains markup."))
            (code.definition, code.include, code.exclude, code.example) = unfold_description(
                child.text or ""
            )
        elif child.tag == _q("Code"):
            code.children.append(_read_code(child, depth + 1, seen))
        else:
            raise _invalid(_("unexpected element in a code."))
    return code


def codebook_from_qdc(data: bytes) -> Codebook:
    """Parse a ``.qdc`` file; raise :class:`QdcError` for anything doubtful."""
    if len(data) > MAX_QDC_BYTES:
        raise _invalid(_("the file is too large."))
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser=_parser()))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _invalid(_("the XML is malformed.")) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _invalid(_("document type declarations are not accepted."))
    root = tree.getroot()
    if root.tag != _q("CodeBook"):
        raise _invalid(_("the root element must be CodeBook in the REFI-QDA codebook namespace."))
    children = _children(root)
    if not children or children[0].tag != _q("Codes"):
        raise _invalid(_("the Codes element is missing."))
    if any(child.tag != _q("Sets") for child in children[1:]) or len(children) > 2:
        raise _invalid(_("unexpected element in the codebook."))
    seen: set[str] = set()
    codes = []
    for element in _children(children[0]):
        if element.tag != _q("Code"):
            raise _invalid(_("unexpected element in the list of codes."))
        codes.append(_read_code(element, 1, seen))
    if not codes:
        raise _invalid(_("the codebook contains no code."))
    return Codebook(codes=codes, origin=root.get("origin") or "")
