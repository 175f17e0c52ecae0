"""The background run of an extract sent from the import page (django-tasks; the worker is
``python manage.py db_worker``, docs/operations.md)."""

from __future__ import annotations

from django_tasks import task

from etage.intake.arrears.services import arrears_import_process


@task()
def run_arrears_import(batch_id: int) -> None:
    arrears_import_process(batch_id=batch_id)
