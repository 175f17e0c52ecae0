"""The report's three documents and the ``etage_report`` command: the DOCX holds every
evaluative question and no household name (on the demo's households), the HTML has every
question as a heading with captions and alt texts, the PDF renders pages that are not blank."""

from __future__ import annotations

import importlib.util
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from etage.accounts.models import User
from etage.evaluation.models import Project
from etage.evaluation.report.content import build_report
from etage.evaluation.report.docx import render_docx
from etage.evaluation.report.html import render_html
from etage.evaluation.report.pdf import render_pdf
from tests import replay
from tests.evaluation.report_world import QUESTION_TEXTS, ReportWorld, build_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_snapshot(settings: Any, tmp_path: Path) -> None:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "no-snapshot"


@pytest.fixture
def world(demo_reference: dict[str, User]) -> ReportWorld:
    return build_report_world(demo_reference)


def docx_text(data: bytes) -> str:
    """Every paragraph and every table cell of a Word document (python-docx)."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self.tables = self.captions = 0
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading, self._text = tag, []
        elif tag == "img":
            self.images.append(dict(attrs))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._text).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def test_the_docx_is_an_editable_document_with_headings_tables_and_described_charts(world):
    content = build_report(world.project)
    doc = Document(io.BytesIO(render_docx(content)))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    for number, text in enumerate(QUESTION_TEXTS, start=1):
        assert f"Q{number}. {text}" in headings
    assert "Annexes" in headings
    assert len(doc.tables) >= 8
    (picture,) = doc.inline_shapes  # question 1's chart; question 2 has nothing to draw
    assert "131" in picture._inline.docPr.get("descr")
    assert doc.core_properties.author == "ETAGE"
    # A table-of-contents field Word fills in, and each part on a new page.
    assert 'TOC \\o "1-2"' in doc.element.xml
    assert doc.element.xml.count('w:type="page"') == 5 + len(content.chapters)
    text = docx_text(render_docx(content))
    assert "Situations repérées" in text
    assert "E03" in text  # the interview annex lists every interview, by reference
    assert world.lead.last_name not in text  # nor the interviewer, nor the facilitator


def test_the_html_is_one_accessible_french_file(world):
    html = render_html(build_report(world.project))
    outline = _outline(html)
    assert outline.lang == "fr"
    assert [h for h in outline.headings if h[0] == "h1"] == [
        ("h1", "Rapport d'évaluation — Évaluation ETAGE")
    ]
    chapters = [text for tag, text in outline.headings if tag == "h2"]
    for number, text in enumerate(QUESTION_TEXTS, start=1):
        assert f"Q{number}. {text}" in chapters
    assert outline.tables == outline.captions > 0
    assert outline.images
    for image in outline.images:
        assert (image["src"] or "").startswith("data:image/png;base64,")
        assert image["alt"]
    # Standalone: no stylesheet, script or image fetched from anywhere.
    assert not re.search(r'<(link|script)\b|src="(?!data:)', html)


def test_the_pdf_renders_non_blank_pages_with_every_question(world):
    import pypdfium2 as pdfium

    content = build_report(world.project)
    pdf = pdfium.PdfDocument(render_pdf(content))
    # Title, contents, summary, method, one part per question, conclusions, recommendations,
    # annexes: each part starts a page.
    assert len(pdf) >= 7 + len(content.chapters)
    text = " ".join(
        " ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))
    )
    for question in QUESTION_TEXTS:
        assert question in text
    darkness = []
    for index in range(len(pdf)):
        histogram = pdf[index].render(scale=0.5).to_pil().convert("L").histogram()
        assert sum(histogram[:200]) > 100, f"page {index + 1} is blank"
        darkness.append(sum(histogram[:128]) / sum(histogram))
    # The chart's dark bars make one page far darker than text alone (~1 to 2 %).
    assert max(darkness) > 0.08


def test_the_command_writes_the_only_project_s_report(world, tmp_path):
    out = tmp_path / "rapport.docx"
    stdout = io.StringIO()
    call_command("etage_report", "--format", "docx", "--out", str(out), stdout=stdout)
    assert "rapport.docx" in stdout.getvalue()
    text = docx_text(out.read_bytes())
    for question in QUESTION_TEXTS:
        assert question in text


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_the_command_writes_html_and_pdf(world, tmp_path, fmt):
    out = tmp_path / f"rapport.{fmt}"
    call_command("etage_report", "--format", fmt, "--out", str(out), stdout=io.StringIO())
    data = out.read_bytes()
    assert data.startswith(b"%PDF") if fmt == "pdf" else b'<html lang="fr">' in data


def test_the_command_lists_the_projects_when_there_are_several(world, demo_reference, tmp_path):
    other = Project.objects.create(name="Deuxième projet", created_by=world.lead)
    with pytest.raises(CommandError) as error:
        call_command("etage_report", "--out", str(tmp_path / "r.docx"))
    message = str(error.value)
    assert "plusieurs projets" in message
    assert f"{world.project.pk} : Évaluation ETAGE" in message
    assert f"{other.pk} : Deuxième projet" in message
    assert not (tmp_path / "r.docx").exists()
    call_command(
        "etage_report",
        "--project",
        str(other.pk),
        "--out",
        str(tmp_path / "r.docx"),
        stdout=io.StringIO(),
    )
    assert "Deuxième projet" in docx_text((tmp_path / "r.docx").read_bytes())


def test_the_command_refuses_unknown_projects_folders_and_users_in_french(world, tmp_path):
    with pytest.raises(CommandError, match="Aucun projet d'évaluation n'a l'identifiant 999999"):
        call_command("etage_report", "--project", "999999", "--out", str(tmp_path / "r.docx"))
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("etage_report", "--out", str(tmp_path / "absent" / "r.docx"))
    with pytest.raises(CommandError, match="Utilisateur inconnu"):
        call_command("etage_report", "--user", "personne", "--out", str(tmp_path / "r.docx"))


def test_the_command_for_a_user_reaches_only_their_projects(world, demo_reference, tmp_path):
    # t3-evaluation is a member of no project: the project stays out of reach.
    with pytest.raises(CommandError, match="aucun projet"):
        call_command("etage_report", "--user", "t3-evaluation", "--out", str(tmp_path / "r.docx"))
    call_command(
        "etage_report",
        "--user",
        "t2-evaluation",
        "--out",
        str(tmp_path / "r.docx"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "r.docx").exists()


def _names() -> set[str]:
    from etage.households.models import Person

    names: set[str] = set()
    for first, last in Person.objects.values_list("first_name", "last_name"):
        names.update(n for n in (first, last) if n and len(n) > 2)
    return names


def test_on_demo_data_the_docx_holds_every_question_and_no_household_name(
    demo_reference, settings, tmp_path
):
    """On the demo's households (reference + history), for a project built here and for the
    demo's own evaluation project (etage.demo.evaluation, when present)."""
    from etage.analytics.indicators import refresh_indicators
    from etage.analytics.snapshot import write_snapshot
    from etage.situations.models import Situation

    replay.demo_history(seed=5, count=40)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    refresh_indicators()
    names = _names()
    assert len(names) > 40
    projects = [build_report_world(demo_reference).project]
    if importlib.util.find_spec("etage.demo.evaluation") is not None:
        from etage.demo.evaluation import demo_build_evaluation

        projects.append(demo_build_evaluation(seed=1))
    for project in projects:
        out = tmp_path / f"rapport-{project.pk}.docx"
        call_command(
            "etage_report", "--project", str(project.pk), "--out", str(out), stdout=io.StringIO()
        )
        text = docx_text(out.read_bytes())
        questions = list(project.questions.order_by("number"))
        assert questions
        for question in questions:
            assert question.text.strip() in text
        found = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text))
        assert not found, (project.name, found)
        # The snapshot is there: the situations analysed and the data-quality annex.
        situations = Situation.objects.count()
        assert f"Situations analysées (données de parcours)\n{situations}\n" in text
        assert "Qualité des données de parcours" in text
        assert Document(io.BytesIO(out.read_bytes())).inline_shapes  # the indicators' charts
