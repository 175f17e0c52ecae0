"""The pure validation core of an arrears extract: the header against the format and the
landlord's mapping, then each line, field by field, against the rules of docs/imports.md.
No ORM: what needs the database (the communes, the procedure stages) comes in as
:class:`Lookups`. Errors name the line and the column as the landlord wrote it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from etage.households.text import contains_nir, fold
from etage.intake.arrears import format as fmt

#: Errors kept for the report; all of them are counted.
MAX_REPORTED_ERRORS = 200
#: Months in arrears beyond which a line is surely wrong.
MAX_MONTHS = Decimal(120)
#: How far the months in arrears given may be from balance ÷ rent.
MONTHS_TOLERANCE = Decimal(3)
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_RENT = Decimal("99999.99")
MAX_BALANCE = Decimal("99999999.99")


@dataclass(frozen=True)
class LineError:
    line: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Lookups:
    #: INSEE code, folded name (and folded short name) -> commune id; None when a name is
    #: shared by two communes (the INSEE code is then needed).
    communes: Mapping[str, int | None]
    #: Folded code or label -> EventKind code.
    stages: Mapping[str, str]
    today: dt.date


@dataclass(frozen=True)
class CleanLine:
    lease_reference: str
    balance_on: dt.date
    tenant_names: str
    address: str
    commune_id: int
    monthly_rent: Decimal
    balance: Decimal
    months_in_arrears: Decimal
    last_payment_on: dt.date | None
    procedure_stage: str
    procedure_on: dt.date | None

    @property
    def key(self) -> tuple[str, dt.date]:
        return (self.lease_reference, self.balance_on)

    def content_hash(self) -> str:
        """Fingerprint of the reported values (not of the key)."""
        parts = (
            self.tenant_names,
            self.address,
            str(self.commune_id),
            str(self.monthly_rent),
            str(self.balance),
            str(self.months_in_arrears),
            self.last_payment_on.isoformat() if self.last_payment_on else "",
            self.procedure_stage,
            self.procedure_on.isoformat() if self.procedure_on else "",
        )
        return hashlib.md5("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def key_digest(lease_reference: str, balance_on: dt.date) -> int:
    """A 64-bit fingerprint of a natural key: duplicate detection keeps only these in memory."""
    raw = f"{lease_reference}\x1f{balance_on.isoformat()}".encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Layout:
    """Which field each column of the file holds (None: an empty header, to be left empty)
    and the header as the file wrote it, for the messages."""

    columns: tuple[str | None, ...]
    labels: Mapping[str, str]


def build_layout(
    header: Sequence[object], mapping: Mapping[str, str]
) -> tuple[Layout | None, list[LineError]]:
    expected = fmt.expected_headers(mapping)
    by_key: dict[str, str] = {}
    for name, label in expected.items():
        by_key.setdefault(fmt.header_key(label), name)
        by_key.setdefault(fmt.header_key(fmt.HEADERS[name]), name)
    columns: list[str | None] = []
    labels: dict[str, str] = {}
    errors: list[LineError] = []
    for cell in header:
        text = fmt.cell_text(cell).strip()
        key = fmt.header_key(text)
        if not key:
            columns.append(None)
            continue
        found = by_key.get(key)
        if found is None:
            errors.append(
                LineError(
                    1,
                    text[:80],
                    _(
                        "Unknown column “%(header)s”: a misspelt header would lose a field. "
                        "Expected columns: %(expected)s."
                    )
                    % {"header": text[:80], "expected": ", ".join(expected.values())},
                )
            )
        elif found in labels:
            errors.append(
                LineError(
                    1, text[:80], _("The column “%(header)s” appears twice.") % {"header": text}
                )
            )
        else:
            labels[found] = text
        columns.append(found)
    for spec in fmt.FIELDS:
        if spec.required and spec.name not in labels:
            errors.append(
                LineError(
                    1,
                    expected[spec.name],
                    _("The required column “%(header)s” is missing.")
                    % {"header": expected[spec.name]},
                )
            )
    if errors:
        return None, errors
    return Layout(tuple(columns), labels), []


def _too_long(text: str, limit: int) -> str:
    return _("Too long: %(length)s characters, at most %(max)s.") % {
        "length": len(text),
        "max": limit,
    }


def check_line(
    values: Mapping[str, object], *, line: int | None, labels: Mapping[str, str], lookups: Lookups
) -> tuple[CleanLine | None, list[LineError]]:
    """Check one line (ETAGE field -> cell as read). Returns the clean line, or the errors."""
    errors: list[LineError] = []
    out: dict[str, object] = {}

    def err(name: str, message: str) -> None:
        errors.append(LineError(line, labels.get(name, fmt.HEADERS[name]), message))

    texts: dict[str, str] = {}
    for spec in fmt.FIELDS:
        raw = values.get(spec.name)
        text = fmt.cell_text(raw)
        if len(text) > fmt.MAX_CELL_CHARS:
            err(spec.name, _too_long(text, fmt.MAX_CELL_CHARS))
            continue
        stripped = text.strip()
        if not stripped:
            if spec.required:
                err(spec.name, _("This value is required."))
            continue
        if isinstance(raw, str) and fmt.looks_like_formula(text.lstrip(" ")):
            negative_amount = spec.name in fmt.AMOUNT_FIELDS and stripped.startswith("-")
            if not negative_amount:
                err(
                    spec.name,
                    _(
                        "This value starts with a character a spreadsheet reads as a formula "
                        "(= + - @, tab or carriage return): remove it."
                    ),
                )
                continue
        if spec.name in fmt.DATE_FIELDS:
            try:
                out[spec.name] = fmt.parse_date(raw)
            except fmt.CellError as exc:
                err(spec.name, str(exc))
        elif spec.name in fmt.AMOUNT_FIELDS:
            try:
                out[spec.name] = fmt.parse_amount(raw)
            except fmt.CellError as exc:
                err(spec.name, str(exc))
        else:
            texts[spec.name] = " ".join(stripped.split())

    for name, text in texts.items():
        limit = fmt.MAX_LENGTHS.get(name)
        if limit is not None and len(text) > limit:
            err(name, _too_long(text, limit))
        elif name in fmt.MAX_LENGTHS and contains_nir(text):
            err(
                name,
                _(
                    "This value looks like it contains a social-security number (NIR): ETAGE "
                    "must not receive it."
                ),
            )
        elif name == "commune":
            commune_key = text.upper() if len(text) == 5 else fold(text)
            commune_id = lookups.communes.get(commune_key, lookups.communes.get(fold(text)))
            if commune_id is None:
                if fold(text) in lookups.communes:
                    err(
                        name,
                        _("Several communes are named “%(value)s”: give the INSEE code.")
                        % {"value": text[:80]},
                    )
                else:
                    err(
                        name,
                        _(
                            "Unknown commune “%(value)s”: give the INSEE code or the name of a "
                            "commune of an ETAGE territory."
                        )
                        % {"value": text[:80]},
                    )
            else:
                out["commune_id"] = commune_id
        elif name == "procedure_stage":
            stage = lookups.stages.get(fold(text))
            if stage is None:
                err(
                    name,
                    _(
                        "Unknown procedure stage “%(value)s”: give one of the codes or labels "
                        "listed in docs/imports.md."
                    )
                    % {"value": text[:80]},
                )
            else:
                out[name] = stage
        else:
            out[name] = text

    today = lookups.today
    for name in fmt.DATE_FIELDS:
        on = out.get(name)
        if isinstance(on, dt.date):
            if on > today:
                err(name, _("This date is in the future (%(date)s).") % {"date": f"{on:%d/%m/%Y}"})
                del out[name]
            elif on < EARLIEST_DATE:
                err(
                    name,
                    _("This date is too old to be right (%(date)s).") % {"date": f"{on:%d/%m/%Y}"},
                )
                del out[name]
    balance_on, last_payment_on = out.get("balance_on"), out.get("last_payment_on")
    if (
        isinstance(balance_on, dt.date)
        and isinstance(last_payment_on, dt.date)
        and last_payment_on > balance_on
    ):
        err("last_payment_on", _("The last payment comes after the balance date."))

    def given(name: str) -> bool:
        return bool(fmt.cell_text(values.get(name)).strip())

    if given("procedure_stage") and not given("procedure_on"):
        err("procedure_on", _("A procedure stage needs its date."))
    if given("procedure_on") and not given("procedure_stage"):
        err("procedure_stage", _("A procedure date needs its stage."))

    rent, balance = out.get("monthly_rent"), out.get("balance")
    if isinstance(rent, Decimal):
        if rent < 0:
            err("monthly_rent", _("A rent cannot be negative."))
        elif rent == 0:
            err("monthly_rent", _("The monthly rent must be more than 0 €."))
        elif rent > MAX_RENT:
            err("monthly_rent", _("This rent is too high to be right."))
    if isinstance(balance, Decimal) and abs(balance) > MAX_BALANCE:
        err("balance", _("This balance is too high to be right."))
    months = out.get("months_in_arrears")
    if isinstance(months, Decimal):
        if months != months.quantize(Decimal("0.1")):
            err("months_in_arrears", _("Months in arrears take one decimal at most."))
        elif not 0 <= months <= MAX_MONTHS:
            err(
                "months_in_arrears",
                _("Months in arrears must be between 0 and %(max)s.") % {"max": MAX_MONTHS},
            )
        elif isinstance(balance, Decimal) and isinstance(rent, Decimal) and rent > 0:
            if balance <= 0 and months > 0:
                err(
                    "months_in_arrears",
                    _("Months in arrears are given but the balance shows no debt."),
                )
            elif balance > 0 and abs(months - balance / rent) > MONTHS_TOLERANCE:
                err(
                    "months_in_arrears",
                    _(
                        "Inconsistent with the balance: %(balance)s € is %(months)s months of "
                        "rent, not %(given)s."
                    )
                    % {
                        "balance": balance,
                        "months": (balance / rent).quantize(Decimal("0.1")),
                        "given": months,
                    },
                )
    elif (
        not given("months_in_arrears")
        and isinstance(balance, Decimal)
        and isinstance(rent, Decimal)
        and rent > 0
    ):
        computed = max(Decimal(0), balance / rent).quantize(Decimal("0.1"))
        if computed > MAX_MONTHS:
            err(
                "balance",
                _("This balance is more than %(max)s months of rent.") % {"max": MAX_MONTHS},
            )
        else:
            out["months_in_arrears"] = computed

    if errors:
        return None, errors
    return (
        CleanLine(
            lease_reference=str(out["lease_reference"]),
            balance_on=out["balance_on"],  # type: ignore[arg-type]
            tenant_names=str(out["tenant_names"]),
            address=str(out["address"]),
            commune_id=int(out["commune_id"]),  # type: ignore[call-overload]
            monthly_rent=out["monthly_rent"],  # type: ignore[arg-type]
            balance=out["balance"],  # type: ignore[arg-type]
            months_in_arrears=out["months_in_arrears"],  # type: ignore[arg-type]
            last_payment_on=out.get("last_payment_on"),  # type: ignore[arg-type]
            procedure_stage=str(out.get("procedure_stage", "")),
            procedure_on=out.get("procedure_on"),  # type: ignore[arg-type]
        ),
        [],
    )


@dataclass
class Checker:
    """Checks a whole extract line by line, in one streaming pass: keeps the first
    :data:`MAX_REPORTED_ERRORS` errors, counts all of them, and remembers only a 64-bit
    fingerprint per natural key to find duplicate lines."""

    lookups: Lookups
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0
    seen: set[int] = field(default_factory=set)

    def add(self, errors: Iterable[LineError]) -> None:
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)

    def line(
        self, values: Mapping[str, object], *, line: int | None, labels: Mapping[str, str]
    ) -> CleanLine | None:
        self.lines += 1
        clean, errors = check_line(values, line=line, labels=labels, lookups=self.lookups)
        if clean is None:
            self.add(errors)
            return None
        digest = key_digest(*clean.key)
        if digest in self.seen:
            self.add(
                [
                    LineError(
                        line,
                        labels.get("lease_reference", fmt.HEADERS["lease_reference"]),
                        _(
                            "Duplicate line: the same lease reference (%(lease)s) and balance "
                            "date (%(date)s) are on an earlier line of the file."
                        )
                        % {"lease": clean.lease_reference, "date": f"{clean.balance_on:%d/%m/%Y}"},
                    )
                ]
            )
            return None
        self.seen.add(digest)
        return clean


def table_lines(
    rows: Iterator[tuple[int, list[object]]],
    *,
    mapping: Mapping[str, str],
    checker: Checker,
    on_line: Callable[[int], None] | None = None,
) -> Iterator[CleanLine]:
    """The clean lines of a table (header first); errors go to ``checker``. Reading errors
    (:class:`~etage.intake.arrears.reading.ReadError`) propagate."""
    first = next(rows, None)
    if first is None:
        checker.add([LineError(None, "", _("The file is empty."))])
        return
    layout, errors = build_layout(first[1], mapping)
    if layout is None:
        checker.add(errors)
        return
    width = len(layout.columns)
    for number, cells in rows:
        values: dict[str, object] = {}
        for index, cell in enumerate(cells):
            if index >= width:
                if fmt.cell_text(cell).strip():
                    checker.add(
                        [
                            LineError(
                                number,
                                "",
                                _("This line has more values than the header has columns."),
                            )
                        ]
                    )
                    break
                continue
            name = layout.columns[index]
            if name is None:
                if fmt.cell_text(cell).strip():
                    checker.add(
                        [
                            LineError(
                                number,
                                _("column %(index)s") % {"index": index + 1},
                                _("A value stands in a column without header."),
                            )
                        ]
                    )
                continue
            values[name] = cell
        clean = checker.line(values, line=number, labels=layout.labels)
        if on_line is not None:
            on_line(checker.lines)
        if clean is not None:
            yield clean
    if checker.lines == 0:
        checker.add([LineError(None, "", _("The file has a header but no line of data."))])


def record_lines(
    records: Iterable[Mapping[str, object]], *, checker: Checker
) -> Iterator[CleanLine]:
    """The clean lines of records keyed by ETAGE field names (the API); ``line`` is the
    position of the record, from 1, and ``column`` the field name."""
    labels = {name: name for name in fmt.FIELD_NAMES}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            checker.lines += 1
            checker.add([LineError(number, "", _("Each line must be an object."))])
            continue
        unknown = sorted(str(k) for k in record if k not in labels)
        if unknown:
            checker.lines += 1
            checker.add(
                LineError(
                    number,
                    key[:80],
                    _("Unknown field: expected one of %(fields)s.")
                    % {"fields": ", ".join(fmt.FIELD_NAMES)},
                )
                for key in unknown
            )
            continue
        clean = checker.line(record, line=number, labels=labels)
        if clean is not None:
            yield clean
    if checker.lines == 0:
        checker.add([LineError(None, "", _("No line was sent."))])
