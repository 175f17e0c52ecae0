"""The report page: every member sees the outline, the gaps and the downloads; only lead
evaluators edit the texts (versioned, no social-security number); everyone else gets a 404."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation import refiqda
from etage.evaluation.models import Project, ProjectMember
from tests.evaluation.report_world import (
    NO_QUOTE_MARK,
    QUESTION_TEXTS,
    WITHDRAWN_MARK,
    ReportWorld,
    build_report_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_snapshot(settings: Any, tmp_path: Path) -> None:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "no-snapshot"


@pytest.fixture
def world(demo_reference: dict[str, User]) -> ReportWorld:
    return build_report_world(demo_reference)


def _url(world: ReportWorld, name: str = "evaluation:report", **kwargs: Any) -> str:
    return reverse(name, kwargs={"project_pk": world.project.pk, **kwargs})


def _texts(world: ReportWorld, **changes: Any) -> dict[str, Any]:
    project = world.project
    project.refresh_from_db()
    return {
        "summary": project.summary,
        "method_limits": project.method_limits,
        "conclusions": project.conclusions,
        "version": project.version,
        **changes,
    }


def test_a_member_sees_the_outline_with_counts_and_the_downloads(world, client_for):
    page = client_for("t2-evaluation").get(_url(world)).content.decode()
    assert "<h1>Rapport d&#x27;évaluation</h1>" in page
    for text in QUESTION_TEXTS:
        assert text.replace("'", "&#x27;") in page
    assert "2 indicateurs" in page
    assert "Liste anonymisée des entretiens : 5 entretiens" in page
    for fmt in ("docx", "pdf", "html"):
        assert _url(world, "evaluation:report_download", fmt=fmt) in page
    assert _url(world, "evaluation:report_bundle") in page
    # A coder reads; the form is for the lead evaluators.
    assert 'data-testid="report-texts"' not in page


def test_the_page_says_what_is_missing(world, client_for):
    page = client_for("t1-evaluation").get(_url(world)).content.decode()
    assert 'data-testid="report-gaps"' in page
    assert "etage_snapshot" in page


def test_with_a_snapshot_the_outline_counts_its_situations(world, client_for, settings, refer):
    from etage.analytics.snapshot import write_snapshot

    refer()
    settings.ETAGE_SNAPSHOT_DIR = Path(settings.ETAGE_SNAPSHOT_DIR).parent / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    page = client_for("t1-evaluation").get(_url(world)).content.decode()
    assert "Qualité des données — instantané de 1 situation<" in page
    assert "Situations analysées (données de parcours) : 1" in page
    assert "etage_snapshot" not in page


def test_an_empty_project_gets_hints_not_an_empty_page(demo_reference, client_for):
    lead = demo_reference["t1-evaluation"]
    project = Project.objects.create(name="Projet vide", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    page = client_for("t1-evaluation").get(reverse("evaluation:report", args=[project.pk]))
    text = page.content.decode()
    assert "Aucune question évaluative" in text
    assert "Le résumé exécutif n&#x27;est pas encore rédigé." in text


@pytest.mark.parametrize("username", ["t3-evaluation", "t1-coordination", "t1-pilotage"])
def test_non_members_get_a_404_on_every_report_url(world, client_for, username):
    client = client_for(username)
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, "evaluation:report_download", fmt="docx")).status_code == 404
    assert client.get(_url(world, "evaluation:report_bundle")).status_code == 404
    assert client.post(_url(world), _texts(world, summary="Piraté")).status_code == 404
    world.project.refresh_from_db()
    assert world.project.summary != "Piraté"


def test_the_lead_saves_the_texts(world, client_for):
    response = client_for("t1-evaluation").post(
        _url(world), _texts(world, summary="Nouveau résumé.", conclusions="  Fin.  ")
    )
    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.summary == "Nouveau résumé."
    assert world.project.conclusions == "Fin."
    assert world.project.version == 2


def test_a_coder_cannot_edit_the_texts(world, client_for):
    response = client_for("t2-evaluation").post(_url(world), _texts(world, summary="Autre."))
    assert response.status_code == 404
    world.project.refresh_from_db()
    assert world.project.summary != "Autre."


def test_the_service_itself_refuses_a_coder(world):
    from etage.evaluation.report.services import report_texts_save
    from etage.evaluation.services import EvaluationError

    with pytest.raises(EvaluationError, match="évaluateurs responsables"):
        report_texts_save(
            world.project,
            by=world.coder,
            expected_version=world.project.version,
            summary="Par le codeur.",
            method_limits="",
            conclusions="",
        )
    world.project.refresh_from_db()
    assert world.project.summary != "Par le codeur."


def test_a_stale_edit_changes_nothing_and_says_so_in_french(world, client_for):
    client = client_for("t1-evaluation")
    stale = _texts(world)
    assert client.post(_url(world), _texts(world, summary="Premier.")).status_code == 302
    response = client.post(_url(world), {**stale, "summary": "Second."})
    assert response.status_code == 200
    assert "Quelqu&#x27;un d&#x27;autre a modifié cet élément" in response.content.decode()
    world.project.refresh_from_db()
    assert world.project.summary == "Premier."


def test_a_social_security_number_is_refused(world, client_for):
    response = client_for("t1-evaluation").post(
        _url(world), _texts(world, conclusions="Ménage 1 84 12 76 451 089 46 suivi.")
    )
    assert response.status_code == 200
    assert "numéro de sécurité sociale" in response.content.decode()
    world.project.refresh_from_db()
    assert "451" not in world.project.conclusions


def test_a_missing_version_is_a_form_error_not_a_500(world, client_for):
    data = _texts(world, summary="Sans version.")
    del data["version"]
    response = client_for("t1-evaluation").post(_url(world), data)
    assert response.status_code == 200
    world.project.refresh_from_db()
    assert world.project.summary != "Sans version."


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("html", "text/html", b"<!DOCTYPE html>"),
    ],
)
def test_every_member_downloads_each_format(world, client_for, fmt, content_type, start):
    response = client_for("t2-evaluation").get(_url(world, "evaluation:report_download", fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == (
        f'attachment; filename="rapport-evaluation-{world.project.pk}.{fmt}"'
    )
    assert response.content.startswith(start)


def test_an_unknown_format_is_a_404(world, client_for):
    response = client_for("t1-evaluation").get(_url(world, "evaluation:report_download", fmt="odt"))
    assert response.status_code == 404


def test_the_data_bundle_holds_codebook_segments_indicators_and_draws(world, client_for):
    response = client_for("t2-evaluation").get(_url(world, "evaluation:report_bundle"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "LISEZMOI.md",
        "livre-de-codes.qdc",
        "segments.csv",
        "indicateurs.csv",
        "tirages.json",
    }
    codebook = refiqda.codebook_from_qdc(archive.read("livre-de-codes.qdc"))
    assert [c.name for c in codebook.codes] == ["Repérage", "Coordination"]
    assert [c.name for c in codebook.codes[0].children] == ["Intervention précoce"]

    segments = list(
        csv.DictReader(io.StringIO(archive.read("segments.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert len(segments) == 15
    assert {row["codeur"] for row in segments} == {"C1", "C2"}
    by_interview = {row["entretien"]: row for row in segments}
    assert by_interview["E01"]["citable"] == "oui"
    for reference in ("E03", "E04", "E05"):
        assert by_interview[reference]["citable"] == "non"
        assert by_interview[reference]["extrait"] == ""
    raw = archive.read("segments.csv").decode("utf-8-sig")
    assert WITHDRAWN_MARK not in raw
    assert NO_QUOTE_MARK not in raw
    assert world.lead.last_name not in raw

    indicators = archive.read("indicateurs.csv").decode("utf-8-sig")
    assert "identified;Situations repérées;situations;2023;131.0" in indicators
    assert "reviews_on_time_share;Revues à l'heure;%;2023;< 5" in indicators
    (draw,) = json.loads(archive.read("tirages.json"))
    assert draw["seed"] == 7
