"""The workspace's entry pages: deny by default, membership, lead-only member management."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo.reference import ROLE_SLUGS
from etage.evaluation.models import Project, ProjectMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_reference: dict[str, User]) -> dict[str, User]:
    return demo_reference


@pytest.fixture
def lead(people: dict[str, User]) -> User:
    return people["t1-evaluation"]


@pytest.fixture
def project(lead: User) -> Project:
    project = Project.objects.create(name="Évaluation ETAGE", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    return project


def test_an_evaluator_creates_a_project_and_becomes_its_lead(client, people):
    client.force_login(people["t2-evaluation"])
    response = client.post(reverse("evaluation:index"), {"name": "Projet test"})
    project = Project.objects.get(name="Projet test")
    assert response.status_code == 302
    assert ProjectMember.objects.get(project=project).role == ProjectMember.Role.LEAD


def test_an_empty_name_is_refused_in_french_and_creates_nothing(client, people):
    client.force_login(people["t2-evaluation"])
    response = client.post(reverse("evaluation:index"), {"name": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.EVALUATOR])
def test_other_roles_have_no_workspace(client, project, people, role):
    slug = ROLE_SLUGS[role]
    client.force_login(people[f"t1-{slug}"])
    assert client.get(reverse("evaluation:index")).status_code == 404
    assert client.get(reverse("evaluation:project", args=[project.pk])).status_code == 404


def test_an_evaluator_who_is_not_a_member_does_not_see_the_project(client, project, people):
    client.force_login(people["t2-evaluation"])
    assert project.name not in client.get(reverse("evaluation:index")).content.decode()
    assert client.get(reverse("evaluation:project", args=[project.pk])).status_code == 404


def test_a_member_who_leaves_the_evaluator_role_loses_the_project(client, project, lead):
    client.force_login(lead)
    assert client.get(reverse("evaluation:project", args=[project.pk])).status_code == 200
    lead.role = Role.STEERING
    lead.save()
    assert client.get(reverse("evaluation:project", args=[project.pk])).status_code == 404


def test_the_lead_adds_a_coder_who_cannot_manage_members(client, project, lead, people):
    coder = people["t2-evaluation"]
    client.force_login(lead)
    url = reverse("evaluation:members", args=[project.pk])
    client.post(url, {"user": coder.pk, "role": ProjectMember.Role.CODER})
    assert ProjectMember.objects.filter(project=project, user=coder).exists()
    client.force_login(coder)
    assert client.get(reverse("evaluation:project", args=[project.pk])).status_code == 200
    assert client.get(url).status_code == 404


def test_the_last_lead_cannot_be_removed(client, project, lead):
    client.force_login(lead)
    member = ProjectMember.objects.get(project=project, user=lead)
    client.post(reverse("evaluation:member_remove", args=[project.pk, member.pk]))
    assert ProjectMember.objects.filter(pk=member.pk).exists()
