"""The data inventory of the DPIA is generated from the models and cannot drift."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from etage.core.inventory import INVENTORY, Kind, undeclared_models, unknown_personal_fields


def test_every_model_of_etage_is_declared_in_the_inventory() -> None:
    assert undeclared_models() == [], "declare them in etage/core/inventory.py"


def test_every_declared_personal_field_exists() -> None:
    assert unknown_personal_fields() == []


def test_names_and_addresses_are_declared_personal() -> None:
    assert "last_name" in INVENTORY["households.Person"].personal_fields
    assert "address" in INVENTORY["households.Tenancy"].personal_fields
    assert INVENTORY["households.Person"].kind == Kind.NOMINATIVE


def test_the_committed_inventory_is_the_one_the_models_give() -> None:
    call_command("etage_data_inventory", "--check")


def test_check_fails_on_a_stale_file(tmp_path) -> None:
    stale = tmp_path / "inventory.md"
    stale.write_text("# old\n", encoding="utf-8")
    with pytest.raises(CommandError, match="pas à jour"):
        call_command("etage_data_inventory", "--check", "--output", str(stale))
    call_command("etage_data_inventory", "--output", str(stale))
    call_command("etage_data_inventory", "--check", "--output", str(stale))
    assert "**`last_name`**" in stale.read_text(encoding="utf-8")
