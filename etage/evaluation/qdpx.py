"""REFI-QDA project export (``.qdpx``): the coded material of a project for NVivo, ATLAS.ti,
MAXQDA, QualCoder… (evaluation.md part C "Exchange").

A ``.qdpx`` file is a zip holding ``project.qde`` — REFI-QDA Project XML, namespace
``urn:QDA-XML:project:1.0``, schema ``Project-mrt2019.xsd`` of the REFI-QDA 1.5 standard —
and the sources it points to. What ETAGE writes:

- ``Users``: the coders, memo authors and transcript uploaders involved, and the person who
  exports (members of the evaluation team; no interviewee is a user);
- ``CodeBook``: every code of the project, in its tree; closed (merged) codes are kept with
  ``isCodable="false"`` so that the segments coded with them still point somewhere. The code
  elements are written by :mod:`etage.evaluation.refiqda` (same description folding of the
  include/exclude criteria and example as the ``.qdc`` export) and moved into the project
  namespace;
- ``Variables``: the stakeholder type, territory and format of each interview, as text
  variables on its source (what other tools build their attribute matrices from);
- ``Sources``: one ``TextSource`` per transcript of an interview whose consent is recorded and
  not withdrawn, named by the interview's reference, its pseudonymised text in
  ``sources/<guid>.txt`` (UTF-8, no byte-order mark) referenced as ``internal://<guid>.txt``;
- one ``PlainTextSelection`` per coded segment, with one ``Coding`` (``CodeRef`` to its code,
  ``creatingUser`` its coder); reconciled segments say so in their description. **Positions
  are Unicode code points** of the plain text, start included, end excluded — what the
  standard prescribes, and exactly Python's ``str`` offsets, which ETAGE stores;
- ``Notes``: the memos, referenced (``NoteRef``) from the segment, code and transcript they
  are about, or from the project when about none.

Identifiers are stable: derived from the database keys with a fixed namespace (UUID 5), so
exporting twice gives the same GUIDs and another tool recognises the same objects. Character
positions, GUIDs and the schema are checked by the tests (tests/evaluation/schemas/).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from etage.accounts.models import User
from etage.evaluation import refiqda
from etage.evaluation.models import Code, Memo, Project, Segment, Transcript
from etage.evaluation.retrieval import code_tree, usable_segments

NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "ETAGE"
CONTENT_TYPE = "application/zip"
#: Fixed once: the GUIDs of a project's objects derive from it (UUID 5), so they are stable.
_GUIDS = uuid.UUID("bf03d26a-bbeb-4678-bb01-825a967a1937")


class QdpxError(ValueError):
    """A project that cannot be exported; the message is for users."""


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def guid(kind: str, pk: object) -> str:
    return str(uuid.uuid5(_GUIDS, f"{kind}:{pk}")).upper()


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _q(tag), {k: v for k, v in attributes.items() if v})


# --- Codebook ------------------------------------------------------------------------------


def project_codebook(project: Project) -> refiqda.Codebook:
    """The project's whole codebook as REFI-QDA codes (closed codes not codable)."""
    nodes = {}
    roots = []
    for node in code_tree(project):
        code = node.code
        nodes[code.pk] = refiqda.Code(
            guid=str(code.guid).upper(),
            name=code.name,
            definition=code.definition,
            include=code.include,
            exclude=code.exclude,
            example=code.example,
            color=code.color or None,
            is_codable=code.is_active,
        )
        if node.depth and code.parent_id in nodes:
            nodes[code.parent_id].children.append(nodes[code.pk])
        else:
            roots.append(nodes[code.pk])
    return refiqda.Codebook(codes=roots)


def _adopt(parent: etree._Element, element: etree._Element) -> None:
    """Copy a codebook element (and its children) into the project namespace."""
    copy = etree.SubElement(parent, _q(etree.QName(element).localname), dict(element.attrib))
    copy.text = element.text
    for child in element:
        _adopt(copy, child)


def _codebook(root: etree._Element, project: Project) -> dict[str, etree._Element]:
    """Write ``CodeBook``; return the code elements by GUID (for their notes)."""
    codebook = project_codebook(project)
    if not codebook.codes:
        return {}
    written = etree.fromstring(refiqda.codebook_to_qdc(codebook))
    codes = written.find(f"{{{refiqda.NAMESPACE}}}Codes")
    _adopt(_sub(root, "CodeBook"), codes)
    return {
        element.get("guid"): element for element in root.iter(_q("Code")) if element.get("guid")
    }


def _note_ref(element: etree._Element, target: str) -> None:
    """Add a NoteRef where the schema wants it in a Code: after the Description, before the
    child codes."""
    ref = etree.Element(_q("NoteRef"), targetGUID=target)
    children = list(element)
    position = 1 if children and children[0].tag == _q("Description") else 0
    while position < len(children) and children[position].tag == _q("NoteRef"):
        position += 1
    element.insert(position, ref)


# --- Project -------------------------------------------------------------------------------


def _variables(root: etree._Element) -> dict[str, str]:
    names = {
        "type": _("Stakeholder type"),
        "territory": _("Territory"),
        "format": _("Interview format"),
    }
    variables = _sub(root, "Variables")
    for key, name in names.items():
        _sub(variables, "Variable", guid=guid("variable", key), name=name, typeOfVariable="Text")
    return {key: guid("variable", key) for key in names}


def _variable_value(source: etree._Element, variable: str, value: str) -> None:
    element = _sub(source, "VariableValue")
    _sub(element, "VariableRef", targetGUID=variable)
    _sub(element, "TextValue").text = value


def _check_span(segment: Segment, text: str, reference: str) -> None:
    if not (0 <= segment.start < segment.end <= len(text)):
        raise QdpxError(
            _(
                "A coded segment of interview %(reference)s points outside its transcript: "
                "the project cannot be exported until it is corrected."
            )
            % {"reference": reference}
        )


def _source(
    sources: etree._Element,
    transcript: Transcript,
    by_transcript: dict[int, list[Segment]],
    notes_of: dict[tuple[str, int], list[str]],
    variables: dict[str, str],
) -> dict[str, str]:
    """Write one transcript's TextSource and its selections; return its file."""
    interview = transcript.interview
    source_guid = guid("transcript", transcript.pk)
    source = _sub(
        sources,
        "TextSource",
        guid=source_guid,
        name=interview.reference,
        plainTextPath=f"internal://{source_guid}.txt",
        creatingUser=guid("user", transcript.uploaded_by_id),
        creationDateTime=_when(transcript.uploaded_at),
    )
    for segment in by_transcript.get(transcript.pk, []):
        _check_span(segment, transcript.text, interview.reference)
        selection = _sub(
            source,
            "PlainTextSelection",
            guid=guid("segment", segment.pk),
            name=segment.code.name,
            startPosition=str(segment.start),
            endPosition=str(segment.end),
            creatingUser=guid("user", segment.coder_id),
            creationDateTime=_when(segment.created_at),
        )
        if segment.consensus:
            _sub(selection, "Description").text = _("Reconciled coding")
        coding = _sub(
            selection,
            "Coding",
            guid=guid("coding", segment.pk),
            creatingUser=guid("user", segment.coder_id),
            creationDateTime=_when(segment.created_at),
        )
        _sub(coding, "CodeRef", targetGUID=str(segment.code.guid).upper())
        for note in notes_of.get(("segment", segment.pk), []):
            _sub(selection, "NoteRef", targetGUID=note)
    for note in notes_of.get(("transcript", transcript.pk), []):
        _sub(source, "NoteRef", targetGUID=note)
    territory = interview.territory.name if interview.territory else _("No territory")
    _variable_value(source, variables["type"], interview.get_stakeholder_type_display())
    _variable_value(source, variables["territory"], territory)
    _variable_value(source, variables["format"], interview.get_mode_display())

    return {f"sources/{source_guid}.txt": transcript.text}


def _build(project: Project, by: User) -> tuple[bytes, dict[str, str]]:
    transcripts = list(
        Transcript.objects.filter(
            interview__project=project,
            interview__consent__isnull=False,
            interview__consent__withdrawn_on__isnull=True,
        )
        .select_related("interview__territory", "uploaded_by")
        .order_by("interview__reference")
    )
    exported = {t.pk for t in transcripts}
    segments = list(
        usable_segments(project).select_related("code", "coder").order_by("start", "end", "pk")
    )
    by_transcript: dict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_transcript[segment.transcript_id].append(segment)
    exported_segments = {s.pk for s in segments}
    # A memo about material that is not exported (consent withdrawn) stays out with it.
    memos = list(
        Memo.objects.filter(project=project)
        .filter(Q(transcript__isnull=True) | Q(transcript__in=exported))
        .filter(Q(segment__isnull=True) | Q(segment__in=exported_segments))
        .select_related("author")
        .order_by("created_at", "pk")
    )

    users: dict[int, User] = {by.pk: by}
    for segment in segments:
        users.setdefault(segment.coder_id, segment.coder)
    for memo in memos:
        users.setdefault(memo.author_id, memo.author)
    for transcript in transcripts:
        users.setdefault(transcript.uploaded_by_id, transcript.uploaded_by)

    root = etree.Element(_q("Project"), nsmap={None: NAMESPACE})
    root.set("name", project.name)
    root.set("origin", ORIGIN)
    root.set("creatingUserGUID", guid("user", by.pk))
    root.set("creationDateTime", _when(timezone.now()))
    users_element = _sub(root, "Users")
    for pk in sorted(users):
        _sub(users_element, "User", guid=guid("user", pk), name=str(users[pk]))
    code_elements = _codebook(root, project)
    code_guids = dict(Code.objects.filter(project=project).values_list("pk", "guid"))

    notes_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    project_notes = []
    for memo in memos:
        targets = [
            (kind, pk)
            for kind, pk in (
                ("segment", memo.segment_id),
                ("code", memo.code_id),
                ("transcript", memo.transcript_id),
            )
            if pk is not None
        ]
        for target in targets:
            notes_of[target].append(guid("memo", memo.pk))
        if not targets:
            project_notes.append(guid("memo", memo.pk))
    for (kind, pk), notes in notes_of.items():
        if kind == "code" and pk in code_guids:
            for note in notes:
                _note_ref(code_elements[str(code_guids[pk]).upper()], note)

    files: dict[str, str] = {}
    if transcripts:
        variables = _variables(root)
        sources = _sub(root, "Sources")
        for transcript in transcripts:
            files.update(_source(sources, transcript, by_transcript, notes_of, variables))
    if memos:
        notes = _sub(root, "Notes")
        for memo in memos:
            note = _sub(
                notes,
                "Note",
                guid=guid("memo", memo.pk),
                name=memo.title,
                creatingUser=guid("user", memo.author_id),
                creationDateTime=_when(memo.created_at),
                modifiedDateTime=_when(memo.updated_at),
            )
            _sub(note, "PlainTextContent").text = memo.text
    if project.description:
        _sub(root, "Description").text = project.description
    for note in project_notes:
        _sub(root, "NoteRef", targetGUID=note)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return bytes(xml), files


def build_qdpx(project: Project, *, by: User) -> bytes:
    """The ``.qdpx`` archive of ``project``, exported by ``by``; :class:`QdpxError` (with a
    French message) when something cannot be written."""
    try:
        qde, files = _build(project, by)
    except QdpxError:
        raise
    except refiqda.QdcError as exc:
        raise QdpxError(str(exc)) from exc
    except ValueError as exc:
        # lxml refuses the control characters XML 1.0 cannot carry (a title, a memo…).
        raise QdpxError(
            _(
                "The project contains characters that the REFI-QDA format cannot carry (in a "
                "name, a title or a memo): remove them and export again."
            )
        ) from exc
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()
