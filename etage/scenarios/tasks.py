"""The background run of a scenario (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from etage.scenarios.services import run_execute


@task()
def run_scenario(run_id: int) -> None:
    run_execute(run_id)
