"""Through part A's import service: importing the example extract raises candidates (the
post-import steps run linkage, then the rules); importing the same file again creates no
candidate and changes none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etage.accounts.models import User
from etage.alerts.models import Candidate, CandidateEvent
from etage.intake.arrears.services import arrears_import_file
from etage.intake.models import ImportStatus
from etage.organisations.models import Organisation

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "extrait-impayes-exemple.csv"


def _import(user: User) -> Any:
    return arrears_import_file(
        landlord=Organisation.objects.get(code="LMH"),
        path=EXAMPLE,
        file_name=EXAMPLE.name,
        submitted_by=user,
    )


def test_importing_the_example_raises_candidates_and_a_reimport_changes_nothing(
    demo_reference: dict[str, User],
) -> None:
    batch = _import(demo_reference["t2-professionnel"])
    assert batch.status == ImportStatus.DONE, batch.errors
    candidates = {c.lease_reference: c for c in Candidate.objects.all()}
    assert set(candidates) == {"LMH-004512", "LMH-007781"}
    assert candidates["LMH-007781"].procedure_stage == "commandement_de_payer"
    assert candidates["LMH-004512"].territory.code == "T2"
    before = list(Candidate.objects.order_by("pk").values())
    events = CandidateEvent.objects.count()

    again = _import(demo_reference["t2-professionnel"])
    assert again.status == ImportStatus.DONE, again.errors
    assert list(Candidate.objects.order_by("pk").values()) == before
    assert CandidateEvent.objects.count() == events
