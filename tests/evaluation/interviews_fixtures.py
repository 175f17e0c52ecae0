"""Fixtures of the interview-register tests (loaded with ``pytest_plugins``): a project with
a lead (t1-evaluation) and a coder (t2-evaluation)."""

from __future__ import annotations

import pytest

from etage.accounts.models import User
from etage.evaluation.models import Project, ProjectMember


@pytest.fixture
def people(demo_reference: dict[str, User]) -> dict[str, User]:
    return demo_reference


@pytest.fixture
def lead(people: dict[str, User]) -> User:
    return people["t1-evaluation"]


@pytest.fixture
def coder(people: dict[str, User]) -> User:
    return people["t2-evaluation"]


@pytest.fixture
def project(lead: User, coder: User) -> Project:
    project = Project.objects.create(name="Évaluation entretiens", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    return project
