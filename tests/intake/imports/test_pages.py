"""The import page: who may use it, upload, progress fragment, result, other landlords."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from etage.core.models import AccessLogEntry
from etage.intake.models import ArrearsImport, ArrearsLine, ImportStatus
from tests.intake.imports.conftest import HEADER, line, sample_rows

LIST = reverse("arrears:list")


def _csv(rows, name="extrait.csv") -> SimpleUploadedFile:
    text = "\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n"
    return SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")


@pytest.mark.parametrize(
    "username", ["t2-signalement", "t2-coordination", "t2-admin", "t2-pilotage", "t2-ccas"]
)
def test_people_who_do_not_import_are_refused(client_for, username):
    client = client_for(username)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"file": _csv(sample_rows(1))}).status_code == 403
    assert ArrearsImport.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "login" in response.url or "connexion" in response.url


@pytest.mark.parametrize("username", ["t2-recouvrement", "t2-professionnel"])
def test_landlord_staff_upload_and_the_task_imports_for_their_landlord(client_for, username):
    client = client_for(username)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "Importer" in page.content.decode() or "Imports des impayés" in page.content.decode()
    response = client.post(LIST, {"file": _csv(sample_rows(3))})
    batch = ArrearsImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("arrears:detail", args=[batch.pk])
    # ImmediateBackend in tests: the task ran in the request.
    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.landlord.code == "LMH"
    assert batch.lines_created == 3
    assert ArrearsLine.objects.filter(landlord__code="LMH").count() == 3
    assert not batch.stored_file  # the file is deleted once imported (minimisation)
    detail = client.get(response.url).content.decode()
    assert "L'extraction a été importée." in detail
    assert 'hx-trigger="every 2s"' not in detail
    listing = client.get(LIST).content.decode()
    assert "extrait.csv" in listing


def test_a_rejected_file_shows_its_report_by_line_and_column(client_for):
    client = client_for("t2-recouvrement")
    client.post(LIST, {"file": _csv([line(), line(lease="B", commune="Atlantis")])})
    batch = ArrearsImport.objects.get()
    assert batch.status == ImportStatus.REJECTED
    before = AccessLogEntry.objects.count()
    page = client.get(reverse("arrears:detail", args=[batch.pk])).content.decode()
    assert "1 erreur trouvée : le fichier a été rejeté en entier" in page
    assert "<caption>Erreurs trouvées, par ligne et par colonne</caption>" in page
    assert "Commune inconnue « Atlantis »" in page
    assert AccessLogEntry.objects.count() == before + 1
    assert ArrearsLine.objects.count() == 0


def test_a_trial_run_writes_nothing(client_for):
    client = client_for("t2-recouvrement")
    client.post(LIST, {"file": _csv(sample_rows(2)), "dry_run": "on"})
    batch = ArrearsImport.objects.get()
    assert batch.status == ImportStatus.CHECKED
    assert batch.lines_created == 2
    assert ArrearsLine.objects.count() == 0


def test_wrong_extension_and_missing_file_are_refused_with_a_message(client_for):
    client = client_for("t2-recouvrement")
    response = client.post(LIST, {"file": SimpleUploadedFile("notes.pdf", b"%PDF-1.4")})
    assert response.status_code == 200
    assert "Envoyez un fichier .csv ou .xlsx." in response.content.decode()
    response = client.post(LIST, {})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert ArrearsImport.objects.count() == 0


def test_the_size_limit_is_checked_before_storing(client_for, settings):
    settings.ETAGE_MAX_IMPORT_BYTES = 100
    client = client_for("t2-recouvrement")
    response = client.post(LIST, {"file": _csv(sample_rows(5))})
    assert "trop volumineux" in response.content.decode()
    assert ArrearsImport.objects.count() == 0


def test_a_waiting_import_polls_its_progress_and_says_the_worker_may_be_down(
    client_for, demo_reference
):
    user = demo_reference["t2-recouvrement"]
    batch = ArrearsImport.objects.create(landlord=user.organisation, file_name="x.csv")
    client = client_for("t2-recouvrement")
    page = client.get(reverse("arrears:detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'aria-live="polite"' in page
    assert "processus de traitement est peut-être arrêté" in page
    ArrearsImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, lines_read=500, lines_total=1000
    )
    fragment = client.get(reverse("arrears:status", args=[batch.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert '<progress id="progression" max="100" value="50">' in text
    assert "<html" not in text
    assert 'hx-trigger="every 2s"' in text


def test_another_landlords_import_is_not_found(client_for, demo_reference):
    emh = demo_reference["t1-recouvrement"].organisation
    batch = ArrearsImport.objects.create(landlord=emh, file_name="emh.csv")
    client = client_for("t2-recouvrement")
    assert client.get(reverse("arrears:detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("arrears:status", args=[batch.pk])).status_code == 404
    assert "emh.csv" not in client.get(LIST).content.decode()


def test_the_home_page_offers_the_import_to_landlord_staff_only(client_for):
    assert LIST in client_for("t2-recouvrement").get("/").content.decode()
    assert LIST not in client_for("t2-coordination").get("/").content.decode()
