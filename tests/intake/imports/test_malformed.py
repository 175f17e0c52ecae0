"""The malformed-file corpus (tests/intake/files/malformed/, plus two files generated here):
each file is rejected as a whole with a French message naming the line and the column, and
the database is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from etage.households.models import Household
from etage.intake.arrears.services import arrears_import_file
from etage.intake.models import ArrearsImport, ArrearsLine, ImportStatus, LeaseSignal
from etage.situations.models import Situation
from tests.intake.imports.conftest import FILES, HEADER

MALFORMED = FILES / "malformed"

#: file -> (line, column, a fragment of the message); line None: the whole file.
CORPUS: dict[str, tuple[int | None, str, str]] = {
    "encodage-inconnu.csv": (None, "", "ni en UTF-8 ni en Windows-1252"),
    "utf16.csv": (None, "", "UTF-16"),
    "colonne-manquante.csv": (1, "solde", "La colonne obligatoire « solde » manque"),
    "colonne-inconnue.csv": (1, "locatairs", "Colonne inconnue « locatairs »"),
    "date-invalide.csv": (3, "date_solde", "n'est pas une date qui existe"),
    "date-future.csv": (3, "date_solde", "dans le futur"),
    "montant-invalide.csv": (3, "solde", "n'est pas un montant"),
    "loyer-negatif.csv": (3, "loyer_mensuel", "ne peut pas être négatif"),
    "lignes-en-double.csv": (4, "reference_bail", "Ligne en double"),
    "commune-inconnue.csv": (3, "commune", "Commune inconnue « Atlantis »"),
    "fichier-vide.csv": (None, "", "Le fichier est vide"),
    "en-tete-seul.csv": (None, "", "aucune ligne de données"),
    "injection-formule.csv": (3, "locataires", "formule"),
    "nir-dans-le-nom.csv": (3, "locataires", "numéro de sécurité sociale"),
    "etape-inconnue.csv": (3, "etape_procedure", "Étape de procédure inconnue"),
    "mois-incoherents.csv": (3, "mois_impayes", "Incohérent avec le solde"),
    "valeurs-en-trop.csv": (3, "", "plus de valeurs"),
    "binaire.csv": (None, "", "données binaires"),
    "ancien-excel.xlsx": (None, "", "ancien fichier Excel"),
    "classeur-tronque.xlsx": (None, "", "Le classeur XLSX est illisible"),
    "ligne-de-10-mo.csv": (2, "", "dépasse"),
    "gros-binaire.xlsx": (None, "", "illisible"),
}


def _generated(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    if name == "ligne-de-10-mo.csv":
        path.write_bytes((";".join(HEADER) + "\n").encode() + b"A" * (10 * 1024 * 1024) + b"\n")
    else:  # a zip signature, then noise
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4096)
    return path


def test_the_corpus_has_at_least_15_committed_files_each_tested():
    committed = {p.name for p in MALFORMED.iterdir() if not p.name.startswith(".")}
    assert len(committed) >= 15
    assert committed <= set(CORPUS)


def _counts() -> dict[str, int]:
    return {
        "lines": ArrearsLine.objects.count(),
        "signals": LeaseSignal.objects.count(),
        "households": Household.objects.count(),
        "situations": Situation.objects.count(),
        "written": sum(ArrearsImport.objects.values_list("lines_created", flat=True)),
    }


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_malformed_file_is_rejected_whole_with_a_french_report(name, landlord, tmp_path):
    path = MALFORMED / name if (MALFORMED / name).exists() else _generated(name, tmp_path)
    before = _counts()
    batch = arrears_import_file(
        landlord=landlord, path=path, file_name=name, submitted_by=None, dry_run=False
    )
    assert batch.status == ImportStatus.REJECTED, batch.errors
    assert _counts() == before
    line, column, fragment = CORPUS[name]
    assert batch.error_count >= 1
    assert any(
        e["line"] == line and e["column"] == column and fragment in e["message"]
        for e in batch.errors
    ), batch.errors
    batch.refresh_from_db()
    assert batch.lines_created == batch.lines_updated == 0
