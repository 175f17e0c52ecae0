"""The command ``etage_import_arrears``: summary, report on stderr, exit status."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from etage.intake.models import ArrearsLine
from tests.intake.imports.conftest import FILES, sample_rows, write_csv


def test_a_valid_file_prints_a_french_summary(landlord, tmp_path, capsys):
    path = write_csv(tmp_path / "extrait.csv", sample_rows(3))
    call_command("etage_import_arrears", str(path), "--landlord", "lmh")
    out = capsys.readouterr().out
    assert "terminé : 3 lignes, 3 nouvelles, 0 corrigées, 0 déjà connues" in out
    assert ArrearsLine.objects.count() == 3


def test_a_trial_run_writes_nothing(landlord, tmp_path, capsys):
    path = write_csv(tmp_path / "extrait.csv", sample_rows(2))
    call_command("etage_import_arrears", str(path), "--landlord", "LMH", "--dry-run")
    assert "Essai à blanc" in capsys.readouterr().out
    assert ArrearsLine.objects.count() == 0


def test_a_rejected_file_prints_the_report_and_exits_non_zero(landlord, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command(
            "etage_import_arrears",
            str(FILES / "malformed" / "commune-inconnue.csv"),
            "--landlord",
            "LMH",
        )
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "Fichier rejeté, rien n'a été écrit (1 erreurs)" in err
    assert "ligne 3, commune : Commune inconnue « Atlantis »" in err
    assert ArrearsLine.objects.count() == 0


def test_unknown_landlord_and_missing_file_are_clear_errors(landlord, tmp_path):
    path = write_csv(tmp_path / "extrait.csv", sample_rows(1))
    with pytest.raises(CommandError, match="Bailleur inconnu « XYZ »"):
        call_command("etage_import_arrears", str(path), "--landlord", "XYZ")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("etage_import_arrears", str(tmp_path / "absent.csv"), "--landlord", "LMH")
