"""The ETAGE format of an arrears extract (docs/imports.md): its fields, their French column
headers, and the parsing of one cell. Pure functions: no ORM, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from etage.households.text import fold


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the ETAGE field name (ArrearsLine attribute, API key)
    header: str  # the French column header of the ETAGE format
    required: bool


#: The columns of the ETAGE format, in the order of the example file.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("lease_reference", "reference_bail", True),
    FieldSpec("balance_on", "date_solde", True),
    FieldSpec("tenant_names", "locataires", True),
    FieldSpec("address", "adresse", True),
    FieldSpec("commune", "commune", True),
    FieldSpec("monthly_rent", "loyer_mensuel", True),
    FieldSpec("balance", "solde", True),
    FieldSpec("months_in_arrears", "mois_impayes", False),
    FieldSpec("last_payment_on", "date_dernier_paiement", False),
    FieldSpec("procedure_stage", "etape_procedure", False),
    FieldSpec("procedure_on", "date_etape_procedure", False),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
HEADERS: dict[str, str] = {f.name: f.header for f in FIELDS}
REQUIRED: frozenset[str] = frozenset(f.name for f in FIELDS if f.required)

DATE_FIELDS = frozenset({"balance_on", "last_payment_on", "procedure_on"})
AMOUNT_FIELDS = frozenset({"monthly_rent", "balance", "months_in_arrears"})

#: Longest value accepted in one cell (characters): the longest field is 250 characters.
MAX_CELL_CHARS = 1000
MAX_LENGTHS = {"lease_reference": 40, "tenant_names": 250, "address": 250}

#: Characters a spreadsheet reads as the start of a formula (data-protection.md #22).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_AMOUNT = re.compile(r"^-?\d{1,12}(?:[.,]\d{1,2})?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class CellError(ValueError):
    """A cell that cannot be read; the message (translated) names what was expected."""


def header_key(text: object) -> str:
    """How headers are compared: case, accents, spaces and punctuation do not matter."""
    return fold(str(text or ""))


def expected_headers(mapping: Mapping[str, str]) -> dict[str, str]:
    """ETAGE field -> the header under which it is read: the landlord's header from the
    mapping when there is one, else the ETAGE header."""
    return {f.name: (mapping.get(f.name) or "").strip() or f.header for f in FIELDS}


def mapping_errors(mapping: object) -> list[str]:
    """Why a column mapping cannot be used (empty list if it can)."""
    if not isinstance(mapping, dict):
        return [_("The mapping must be a JSON object {ETAGE field: landlord's header}.")]
    problems: list[str] = []
    seen: dict[str, str] = {}
    for key, value in mapping.items():
        if key not in HEADERS:
            problems.append(
                _("“%(key)s” is not a field of the ETAGE format (fields: %(fields)s).")
                % {"key": key, "fields": ", ".join(FIELD_NAMES)}
            )
            continue
        if not isinstance(value, str) or not header_key(value):
            problems.append(_("The header of the field “%(key)s” is empty.") % {"key": key})
            continue
        folded = header_key(value)
        if folded in seen:
            problems.append(
                _("The header “%(header)s” is given to two fields (“%(first)s” and “%(second)s”).")
                % {"header": value, "first": seen[folded], "second": key}
            )
        else:
            seen[folded] = key
    return problems


def cell_text(value: object) -> str:
    """The text of a cell as a reader gives it (CSV: str; XLSX: str, number, date or None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).strip()
    match = _DATE_FR.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _DATE_ISO.match(text)
        if not match:
            raise CellError(
                _("“%(value)s” is not a date (expected: DD/MM/YYYY or YYYY-MM-DD).")
                % {"value": text[:40]}
            )
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": text[:40]}) from None


def parse_amount(value: object) -> Decimal:
    """An amount in euros: comma or dot as decimal mark, at most two decimals, spaces (also
    non-breaking) as thousands separators, an optional € sign."""
    if isinstance(value, bool):
        raise CellError(_("A true/false value is not an amount."))
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount.") % {"value": value}) from None
        if not number.is_finite():
            raise CellError(_("“%(value)s” is not an amount.") % {"value": value})
        return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = _SPACES.sub("", cell_text(value)).removesuffix("€").removeprefix("€")
    if not _AMOUNT.match(text):
        raise CellError(
            _(
                "“%(value)s” is not an amount (expected e.g. 1234,56 or 1234.56, two "
                "decimals at most)."
            )
            % {"value": cell_text(value).strip()[:40]}
        )
    return Decimal(text.replace(",", ".")).quantize(Decimal("0.01"))
