"""The pure validation core: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etage.intake.arrears import format as fmt
from etage.intake.arrears.validation import (
    Checker,
    Lookups,
    build_layout,
    check_line,
    record_lines,
    table_lines,
)

LOOKUPS = Lookups(
    communes={"69259": 1, "venissieux": 1, "69029": 2, "bron": 2, "saint x": None},
    stages={"reminder": "reminder", "relance de paiement": "reminder", "summons": "summons"},
    today=dt.date(2026, 11, 26),
)
LABELS = dict(fmt.HEADERS.items())


def values(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "lease_reference": "LMH-1",
        "balance_on": "31/10/2026",
        "tenant_names": "Mme Exemple",
        "address": "1 rue Fictive",
        "commune": "69259",
        "monthly_rent": "400,00",
        "balance": "1200,00",
        "months_in_arrears": "3",
        "last_payment_on": "2026-08-15",
        "procedure_stage": "",
        "procedure_on": "",
    }
    base.update(overrides)
    return base


def messages(**overrides: object) -> list[tuple[str, str]]:
    clean, errors = check_line(values(**overrides), line=7, labels=LABELS, lookups=LOOKUPS)
    assert (clean is None) == bool(errors)
    assert all(e.line == 7 for e in errors)
    return [(e.column, e.message) for e in errors]


def test_a_valid_line_is_cleaned():
    clean, errors = check_line(values(), line=2, labels=LABELS, lookups=LOOKUPS)
    assert errors == []
    assert clean is not None
    assert clean.key == ("LMH-1", dt.date(2026, 10, 31))
    assert clean.monthly_rent == Decimal("400.00")
    assert clean.commune_id == 1
    assert clean.last_payment_on == dt.date(2026, 8, 15)
    assert clean.procedure_stage == ""


def test_commune_by_name_is_accent_and_case_insensitive():
    clean, _ = check_line(values(commune="VÉNISSIEUX"), line=2, labels=LABELS, lookups=LOOKUPS)
    assert clean is not None
    assert clean.commune_id == 1


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"balance_on": "32/01/2026"}, "date_solde", "n'est pas une date qui existe"),
        ({"balance_on": "2026/01/31"}, "date_solde", "JJ/MM/AAAA"),
        ({"balance_on": "31/12/2099"}, "date_solde", "dans le futur"),
        ({"monthly_rent": "abc"}, "loyer_mensuel", "n'est pas un montant"),
        ({"monthly_rent": "12,345"}, "loyer_mensuel", "deux décimales au plus"),
        ({"monthly_rent": "-400"}, "loyer_mensuel", "négatif"),
        ({"months_in_arrears": "200"}, "mois_impayes", "entre 0 et 120"),
        ({"months_in_arrears": "12"}, "mois_impayes", "Incohérent avec le solde"),
        ({"balance": "0", "months_in_arrears": "2"}, "mois_impayes", "aucune dette"),
        ({"commune": "Atlantis"}, "commune", "Commune inconnue"),
        ({"commune": "Saint-X"}, "commune", "code INSEE"),
        ({"procedure_stage": "expulsion-maison"}, "etape_procedure", "inconnue"),
        ({"procedure_stage": "reminder"}, "date_etape_procedure", "sa date"),
        ({"tenant_names": '=HYPERLINK("http://x")'}, "locataires", "formule"),
        ({"address": "@SUM(A1)"}, "adresse", "formule"),
        ({"balance": "+1200"}, "solde", "formule"),
        ({"tenant_names": "Mme Exemple 2 84 05 69 123 456 78"}, "locataires", "NIR"),
        ({"lease_reference": ""}, "reference_bail", "obligatoire"),
        ({"lease_reference": "L" * 41}, "reference_bail", "Trop long"),
        (
            {"last_payment_on": "01/11/2026"},
            "date_dernier_paiement",
            "postérieur à la date du solde",
        ),
    ],
)
def test_each_defect_is_reported_in_french_on_its_column(overrides, column, fragment):
    found = messages(**overrides)
    assert any(c == column and fragment in m for c, m in found), found


def test_a_negative_balance_is_an_amount_not_a_formula():
    clean, errors = check_line(
        values(balance="-35,50", months_in_arrears="0"), line=2, labels=LABELS, lookups=LOOKUPS
    )
    assert errors == []
    assert clean is not None
    assert clean.balance == Decimal("-35.50")


def test_months_are_computed_from_balance_and_rent_when_absent():
    clean, _ = check_line(
        values(months_in_arrears="", balance="1000"), line=2, labels=LABELS, lookups=LOOKUPS
    )
    assert clean is not None
    assert clean.months_in_arrears == Decimal("2.5")


def test_a_stage_is_read_from_its_french_label():
    clean, errors = check_line(
        values(procedure_stage="Relance de paiement", procedure_on="01/10/2026"),
        line=2,
        labels=LABELS,
        lookups=LOOKUPS,
    )
    assert errors == []
    assert clean is not None
    assert clean.procedure_stage == "reminder"


@given(
    euros=st.integers(min_value=-(10**9), max_value=10**9),
    cents=st.integers(min_value=0, max_value=99),
    comma=st.booleans(),
    spaced=st.booleans(),
)
def test_amounts_read_back_exactly_whatever_the_decimal_mark(euros, cents, comma, spaced):
    sign = "-" if euros < 0 else ""
    whole = f"{abs(euros):,}".replace(",", "\u00a0" if spaced else "")
    text = f"{sign}{whole}{',' if comma else '.'}{cents:02d} €"
    expected = Decimal(f"{sign}{abs(euros)}.{cents:02d}")
    assert fmt.parse_amount(text) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_read_in_both_formats(day):
    assert fmt.parse_date(f"{day:%d/%m/%Y}") == day
    assert fmt.parse_date(day.isoformat()) == day
    assert fmt.parse_date(dt.datetime.combine(day, dt.time())) == day


@given(st.text(max_size=30))
def test_parsing_any_text_either_works_or_says_why(text):
    for parse in (fmt.parse_amount, fmt.parse_date):
        problems = []
        try:
            parse(text)
        except fmt.CellError as exc:
            problems.append(str(exc))
        assert all(problems)


def test_header_unknown_missing_and_duplicate_columns_are_reported():
    header = [*fmt.HEADERS.values()]
    header[2] = "locatairs"  # typo
    header.append("solde")
    layout, errors = build_layout(header, {})
    assert layout is None
    text = [(e.line, e.column, e.message) for e in errors]
    assert any(c == "locatairs" and "Colonne inconnue" in m for _l, c, m in text), text
    assert any(c == "solde" and "deux fois" in m for _l, c, m in text), text
    assert any(c == "locataires" and "manque" in m for _l, c, m in text), text
    assert all(line == 1 for line, _c, _m in text)


def test_a_mapping_renames_columns_and_headers_ignore_case_and_accents():
    mapping = {"lease_reference": "N° bail", "balance_on": "Solde au"}
    header = ["n° BAIL", "solde AU", *list(fmt.HEADERS.values())[2:]]
    header[3] = "Adresse"
    layout, errors = build_layout(header, mapping)
    assert errors == []
    assert layout is not None
    assert layout.columns[:2] == ("lease_reference", "balance_on")
    assert layout.labels["lease_reference"] == "n° BAIL"


def test_mapping_errors_name_unknown_fields_and_empty_headers():
    assert fmt.mapping_errors({"lease_reference": "N° bail"}) == []
    problems = fmt.mapping_errors(
        {"bail": "N° bail", "balance": " ", "address": "Adr", "commune": "adr"}
    )
    assert len(problems) == 3
    assert fmt.mapping_errors(["not", "a", "dict"])


def test_duplicates_are_found_and_errors_capped_but_counted():
    rows = iter(
        [(1, list(fmt.HEADERS.values()))] + [(n, list(values().values())) for n in range(2, 300)]
    )
    checker = Checker(lookups=LOOKUPS)
    clean = list(table_lines(rows, mapping={}, checker=checker))
    assert len(clean) == 1
    assert checker.error_count == 297
    assert len(checker.errors) == 200
    assert checker.errors[0].line == 3
    assert "Ligne en double" in checker.errors[0].message


def test_records_with_unknown_fields_are_refused():
    checker = Checker(lookups=LOOKUPS)
    list(record_lines([{**values(), "nir": "x"}], checker=checker))
    assert checker.error_count == 1
    assert checker.errors[0].column == "nir"


# The quick path (Checker.line) must accept exactly the lines check_line accepts, with the
# same clean values; whatever it does not accept, check_line checks again.

#: Cells that pass or fail one check or another (text, as a CSV gives them).
TRICKY_TEXTS = [
    "",
    " ",
    "  31/10/2026 ",
    "2026-10-31",
    "31/10/2099",
    "01/01/1999",
    "01/11/2026",
    "20/11/2026",
    "32/01/2026",
    "400",
    "400,5",
    " 1\u00a0200,00 € ",
    "-35,50",
    "+12",
    "=1+1",
    "@x",
    "\t12",
    "0",
    "0,00",
    "99999,99",
    "100000",
    "2,5",
    "3",
    "12",
    "200",
    "69259",
    "VÉNISSIEUX",
    "Saint X",
    "Bron ",
    "reminder",
    "Relance de paiement",
    "01/10/2026",
    "Mme  Exemple\u00a0Léonie",
    "2 84 05 69 123 456 78",
    "184056912345678",
    "L" * 41,
    "N" * 251,
    "100000000",
    "2,55",
    "x" * 1001,
]
_TRICKY = st.one_of(
    st.sampled_from(TRICKY_TEXTS),
    st.text(max_size=12),
    st.none(),
    st.integers(min_value=-5, max_value=70000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=2000),
    st.just(dt.date(2026, 9, 1)),
)


def _same_line(a: object, b: object) -> bool:
    # repr tells Decimal("3.00") from Decimal("3.0") (== does not).
    return [repr(x) for x in a] == [repr(x) for x in b]  # type: ignore[attr-defined]


def _agree(line: dict[str, object]) -> None:
    checker = Checker(lookups=LOOKUPS)
    quick = checker.line(line, line=2, labels=LABELS)
    clean, errors = check_line(line, line=2, labels=LABELS, lookups=LOOKUPS)
    assert (quick is None) == (clean is None)
    if clean is not None:
        assert _same_line(quick, clean)
    else:
        assert [(e.column, e.message) for e in checker.errors] == [
            (e.column, e.message) for e in errors
        ]


@pytest.mark.parametrize("field", fmt.FIELD_NAMES)
def test_the_quick_path_accepts_what_check_line_accepts_and_nothing_else(field):
    for text in TRICKY_TEXTS:
        _agree(values(**{field: text}))


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(fmt.FIELD_NAMES), _TRICKY, max_size=4))
def test_the_quick_path_agrees_with_check_line_on_any_cells(overrides):
    _agree(values(**overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"months_in_arrears": "", "balance": "1000"},
        {"balance": "-35,50", "months_in_arrears": "0"},
        {"procedure_stage": "Relance de paiement", "procedure_on": "01/10/2026"},
        {"commune": "VÉNISSIEUX", "tenant_names": " Mme  Exemple\u00a0Léonie "},
        {"last_payment_on": "", "balance_on": " 2026-10-31 "},
    ],
)
def test_the_quick_path_takes_valid_text_lines_itself(overrides):
    from etage.intake.arrears.validation import _QuickPath

    line = values(**overrides)
    quick = _QuickPath(LOOKUPS).line(line)
    clean, errors = check_line(line, line=2, labels=LABELS, lookups=LOOKUPS)
    assert errors == []
    assert quick is not None
    assert _same_line(quick, clean)
