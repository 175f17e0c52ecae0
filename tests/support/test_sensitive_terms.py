"""The sensitive-terms check (data-protection.md #16) is a pure function of the text."""

from __future__ import annotations

import pytest

from etage.support.sensitive import find_sensitive_terms


def categories(text: str) -> dict[str, tuple[str, ...]]:
    return {m.category: m.words for m in find_sensitive_terms(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rendez-vous pris à la CAF pour l'APL.", {}),
        ("Le loyer de mars est payé ; le plan d'apurement est respecté.", {}),
        ("Mme est HOSPITALISÉE depuis lundi.", {"health": ("HOSPITALISÉE",)}),
        ("Suivi au CMP.", {"mental_health": ("CMP",)}),
        ("Problème d'alcoolisme signalé.", {"addiction": ("alcoolisme",)}),
        ("Violences conjugales évoquées.", {"violence": ("Violences",)}),
        ("Sort de garde à vue.", {"justice": ("garde à vue",)}),
        ("Pratique religieuse.", {"private_life": ("religieuse",)}),
        (
            "Trouble psychique ; troubles psychiques.",
            {"mental_health": ("Trouble psychique", "troubles psychiques")},
        ),
        ("Violet, violon : rien.", {}),
    ],
)
def test_terms_of_sensitive_categories_are_found_as_written(text, expected):
    assert categories(text) == expected


def test_each_word_is_listed_once_per_category():
    assert categories("Alcool, alcool et ALCOOL.") == {"addiction": ("Alcool",)}
