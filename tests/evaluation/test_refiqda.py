"""REFI-QDA codebook (.qdc) export and import."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from etage.evaluation.refiqda import (
    EXAMPLE_HEADING,
    EXCLUDE_HEADING,
    INCLUDE_HEADING,
    NAMESPACE,
    Code,
    Codebook,
    QdcError,
    codebook_from_qdc,
    codebook_to_qdc,
)

SCHEMA_PATH = Path(__file__).parent / "schemas" / "Codebook.xsd"
INVALID_FILE_FR = "Ce fichier n’est pas un livre de codes REFI-QDA valide (.qdc)"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _validate(schema: etree.XMLSchema, data: bytes) -> None:
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log


def _guid(index: int) -> str:
    return str(uuid.UUID(int=index + 1, version=4)).upper()


def sample_codebook() -> Codebook:
    return Codebook(
        codes=[
            Code(
                guid=_guid(0),
                name="Accès au logement",
                definition="Tout ce qui touche à l’entrée dans un logement « ordinaire ».",
                include="Attribution, visite, signature du bail.",
                exclude="Hébergement d’urgence (voir « Hébergement »).",
                example="« On a eu les clés en mars & c’était <enfin> fini. »",
                color="#1F77B4",
                is_codable=False,
                children=[
                    Code(guid=_guid(1), name="Bail signé", color="#abc"),
                    Code(
                        guid="{" + _guid(2).lower() + "}",
                        name="Refus d'attribution",
                        definition="Refus par la commission.",
                        children=[Code(guid=_guid(3), name="Motif : ressources")],
                    ),
                ],
            ),
            Code(guid=_guid(4), name="Relations avec le bailleur", example="Appel au gardien."),
        ]
    )


def test_export_validates_against_the_refi_qda_schema(schema: etree.XMLSchema) -> None:
    data = codebook_to_qdc(sample_codebook())
    _validate(schema, data)
    assert data.startswith(b"<?xml")
    assert b"encoding='UTF-8'" in data or b'encoding="UTF-8"' in data
    assert etree.fromstring(data).tag == f"{{{NAMESPACE}}}CodeBook"


def test_export_then_import_gives_the_same_codebook() -> None:
    codebook = sample_codebook()
    assert codebook_from_qdc(codebook_to_qdc(codebook)) == codebook


def test_other_tools_see_the_criteria_in_the_description() -> None:
    data = codebook_to_qdc(sample_codebook())
    root = etree.fromstring(data)
    description = root.find(f"{{{NAMESPACE}}}Codes/{{{NAMESPACE}}}Code/{{{NAMESPACE}}}Description")
    assert description is not None
    assert description.text is not None
    text = description.text
    assert text.startswith("Tout ce qui touche")
    positions = [text.index(heading) for heading in (INCLUDE_HEADING, EXCLUDE_HEADING)]
    positions.append(text.index(EXAMPLE_HEADING))
    assert positions == sorted(positions)
    assert "Attribution, visite, signature du bail." in text


def test_a_foreign_codebook_without_criteria_is_read() -> None:
    # Shape written by Taguette and ATLAS.ti: no declaration of ours, Sets present.
    data = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{NAMESPACE}" origin="ATLAS.ti">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="entraide" isCodable="1" color="#46AA00">
      <Description>Aide entre voisins.</Description>
      <Code guid="{{2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}}" name="garde d'enfants"
            isCodable="true"/>
    </Code>
  </Codes>
  <Sets>
    <Set name="groupe" guid="ECA18D76-2B8B-4A8A-9A8B-8A8B8A8B8A8B">
      <MemberCode guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"/>
    </Set>
  </Sets>
</CodeBook>""".encode()
    codebook = codebook_from_qdc(data)
    assert codebook.origin == "ATLAS.ti"
    [parent] = codebook.codes
    assert (parent.name, parent.definition, parent.include, parent.color) == (
        "entraide",
        "Aide entre voisins.",
        "",
        "#46AA00",
    )
    assert parent.is_codable is True
    assert [child.name for child in parent.children] == ["garde d'enfants"]


# --- Property: any tree survives the round trip and stays schema-valid -----

_XML_CHARS = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")),
    st.sampled_from("éèêàçùôÉÀÇœ«»’'\"<>&;\n\t\r "),
)
_PLAIN_TEXT = st.text(alphabet=_XML_CHARS, max_size=40)
# Lines that look like the folding headings, to try to confuse the unfolding.
_TRICKY_LINE = st.sampled_from(
    [
        INCLUDE_HEADING,
        EXCLUDE_HEADING,
        EXAMPLE_HEADING,
        "\\" + EXAMPLE_HEADING,
        "\\\\" + INCLUDE_HEADING,
        "",
        " " + EXCLUDE_HEADING,
    ]
)
_FIELD_TEXT = st.one_of(
    _PLAIN_TEXT,
    st.lists(st.one_of(_PLAIN_TEXT, _TRICKY_LINE), max_size=6).map("\n".join),
)
_COLOR = st.one_of(
    st.none(),
    st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True),
    st.from_regex(r"#[0-9A-Fa-f]{3}", fullmatch=True),
)


def _code(children: st.SearchStrategy[list[Code]]) -> st.SearchStrategy[Code]:
    return st.builds(
        Code,
        guid=st.just("placeholder"),
        name=_PLAIN_TEXT,
        definition=_FIELD_TEXT,
        include=_FIELD_TEXT,
        exclude=_FIELD_TEXT,
        example=_FIELD_TEXT,
        color=_COLOR,
        is_codable=st.booleans(),
        children=children,
    )


_TREE = st.recursive(
    _code(st.just([])),
    lambda inner: _code(st.lists(inner, max_size=3)),
    max_leaves=12,
)


def _walk(codes: list[Code]) -> Iterator[Code]:
    for code in codes:
        yield code
        yield from _walk(code.children)


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    codebook = Codebook(
        codes=draw(st.lists(_TREE, min_size=1, max_size=3)),
        origin=draw(st.sampled_from(["ETAGE", "ETAGE – évaluation « 2026 »"])),
    )
    for index, code in enumerate(_walk(codebook.codes)):
        guid = _guid(index)
        code.guid = draw(st.sampled_from([guid, guid.lower(), "{" + guid + "}"]))
    return codebook


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebook=codebooks())
def test_round_trip_and_schema_for_random_trees(
    codebook: Codebook, schema: etree.XMLSchema
) -> None:
    data = codebook_to_qdc(codebook)
    _validate(schema, data)
    assert codebook_from_qdc(data) == codebook


# --- Refusals ---------------------------------------------------------------


def _refused(data: bytes) -> str:
    with translation.override("fr"), pytest.raises(QdcError) as caught:
        codebook_from_qdc(data)
    message = str(caught.value)
    assert message.startswith(INVALID_FILE_FR), message
    return message


VALID_CODE = '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true"/>'


def test_billion_laughs_is_refused() -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY lol0 "lol">{entities}]>
<CodeBook xmlns="{NAMESPACE}"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&lol9;" isCodable="true">
<Description>&lol9;</Description></Code></Codes></CodeBook>""".encode()
    _refused(data)


def test_external_entity_is_refused_and_the_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ETAGE-42", encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
<CodeBook xmlns="{NAMESPACE}"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="x" isCodable="true">
<Description>&xxe;</Description></Code></Codes></CodeBook>""".encode()
    message = _refused(data)
    assert "SECRET-ETAGE-42" not in message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            f'<CodeBook xmlns="urn:QDA-XML:project:1.0"><Codes>{VALID_CODE}</Codes></CodeBook>',
            id="project-namespace",
        ),
        pytest.param(
            f'<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>{VALID_CODE}</Codes></CodeBook>',
            id="namespace-with-colon",
        ),
        pytest.param(f"<CodeBook><Codes>{VALID_CODE}</Codes></CodeBook>", id="no-namespace"),
        pytest.param(f'<CodeBook xmlns="{NAMESPACE}"><Codes>{VALID_CODE}</Codes>', id="truncated"),
        pytest.param("ceci n’est pas du XML", id="not-xml"),
        pytest.param("", id="empty"),
        pytest.param(f'<CodeBook xmlns="{NAMESPACE}"><Codes/></CodeBook>', id="no-code"),
        pytest.param(f'<CodeBook xmlns="{NAMESPACE}"/>', id="no-codes"),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>'
            '<Code guid="pas-un-guid" name="a" isCodable="true"/></Codes></CodeBook>',
            id="bad-guid",
        ),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>{VALID_CODE}{VALID_CODE}</Codes></CodeBook>',
            id="duplicate-guid",
        ),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="peut-être"/>'
            "</Codes></CodeBook>",
            id="bad-boolean",
        ),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true"'
            ' color="rouge"/></Codes></CodeBook>',
            id="bad-colour",
        ),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" isCodable="true"/>'
            "</Codes></CodeBook>",
            id="no-name",
        ),
        pytest.param(
            f'<CodeBook xmlns="{NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true">'
            "<Description>a<b>gras</b></Description></Code></Codes></CodeBook>",
            id="markup-in-description",
        ),
    ],
)
def test_malformed_codebooks_are_refused(data: str) -> None:
    _refused(data.encode())


def test_an_oversized_file_is_refused() -> None:
    padding = "<!-- " + "x" * (6 * 1024 * 1024) + " -->"
    _refused(
        f'<CodeBook xmlns="{NAMESPACE}"><Codes>{VALID_CODE}</Codes>{padding}</CodeBook>'.encode()
    )


def test_export_refuses_what_xml_cannot_carry() -> None:
    with translation.override("fr"), pytest.raises(QdcError) as caught:
        codebook_to_qdc(Codebook(codes=[Code(guid=_guid(0), name="bip\x07")]))
    assert "caractères" in str(caught.value)


def test_export_refuses_duplicate_identifiers() -> None:
    codebook = Codebook(codes=[Code(guid=_guid(0), name="a"), Code(guid=_guid(0), name="b")])
    with translation.override("fr"), pytest.raises(QdcError) as caught:
        codebook_to_qdc(codebook)
    assert "identifiant" in str(caught.value)
