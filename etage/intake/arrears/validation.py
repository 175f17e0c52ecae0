"""The pure validation core of an arrears extract: the header against the format and the
landlord's mapping, then each line, field by field, against the rules of docs/imports.md.
No ORM: what needs the database (the communes, the procedure stages) comes in as
:class:`Lookups`. Errors name the line and the column as the landlord wrote it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, cast

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


class CleanLine(NamedTuple):
    """One checked line. A named tuple rather than a frozen dataclass: it is built twice for
    every line of an extract (both passes), and a tuple is built several times faster."""

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
    """A 64-bit fingerprint of a natural key: duplicate detection keeps only these in memory.
    Python's own hash (SipHash on the text, with a per-process random key): ten times
    cheaper than a hashlib digest, as good against collisions, and only ever compared within
    one process."""
    return hash((lease_reference, balance_on))


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


#: Distinct cell texts the quick path remembers per column (dates, amounts, communes and
#: stages repeat from line to line); past this many, a new text is parsed every time, so the
#: memory stays bounded whatever the file.
QUICK_CACHE_SIZE = 4096
_TENTH = Decimal("0.1")
_ZERO = Decimal(0)
#: How every NIR begins (etage.households.text): its first digit, a separator, the year.
_NIR_START = re.compile(r"[12][\s.-]?\d\d")
_MISSING = object()
#: An optional cell left empty.
_EMPTY = object()
#: A cell the quick path does not accept: :func:`check_line` says why.
_BAD = object()


def _quick_cell(raw: str, *, required: bool, amount: bool = False) -> object:
    """The first checks of :func:`check_line` on one text cell: its stripped text, or
    ``_EMPTY`` / ``_BAD``."""
    if len(raw) > fmt.MAX_CELL_CHARS:
        return _BAD
    stripped = raw.strip()
    if not stripped:
        return _BAD if required else _EMPTY
    if raw.lstrip(" ").startswith(fmt.FORMULA_PREFIXES) and not (
        amount and stripped.startswith("-")
    ):
        return _BAD
    return stripped


def _quick_parsed(
    convert: Callable[[str], object], *, required: bool, amount: bool = False
) -> Callable[[str], object]:
    """A cell parser of the quick path: ``convert`` (a date or an amount of ``fmt``) after
    the blank and required checks; ``_BAD`` sends the line to the full check."""

    def parse(raw: str) -> object:
        cell = _quick_cell(raw, required=required, amount=amount)
        if not isinstance(cell, str):
            return cell
        try:
            return convert(raw)
        except fmt.CellError:
            return _BAD

    return parse


def _quick_date(required: bool) -> Callable[[str], object]:
    return _quick_parsed(fmt.parse_date, required=required)


def _quick_amount(required: bool) -> Callable[[str], object]:
    return _quick_parsed(fmt.parse_amount, required=required, amount=True)


class _QuickPath:
    """:func:`check_line` for the common case, several times faster: a line of text cells
    (CSV, API strings) that passes every check. Each date, amount, commune and stage text
    is parsed once and remembered (bounded). The quick path only accepts: whenever a cell is
    not text or a check fails, it answers None and :func:`check_line` — the one source of
    the messages — checks the line again. Both must give the same clean line
    (tests/intake/imports/test_validation.py holds them to it)."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        parsers: tuple[tuple[str, Callable[[str], object]], ...] = (
            ("balance_on", _quick_date(True)),
            ("commune", self._commune),
            ("monthly_rent", _quick_amount(True)),
            ("balance", _quick_amount(True)),
            ("months_in_arrears", _quick_amount(False)),
            ("last_payment_on", _quick_date(False)),
            ("procedure_stage", self._stage),
            ("procedure_on", _quick_date(False)),
        )
        self.fields: tuple[tuple[str, dict[str, object], Callable[[str], object]], ...] = tuple(
            (name, {}, parse) for name, parse in parsers
        )

    def _commune(self, raw: str) -> object:
        cell = _quick_cell(raw, required=True)
        if not isinstance(cell, str):
            return cell
        text = " ".join(cell.split())
        communes = self.lookups.communes
        key = text.upper() if len(text) == 5 else fold(text)
        commune_id = communes.get(key, communes.get(fold(text)))
        return _BAD if commune_id is None else commune_id

    def _stage(self, raw: str) -> object:
        cell = _quick_cell(raw, required=False)
        if not isinstance(cell, str):
            return cell
        stage = self.lookups.stages.get(fold(" ".join(cell.split())))
        return _BAD if stage is None else stage

    def line(self, values: Mapping[str, object]) -> CleanLine | None:
        get = values.get
        parsed: list[Any] = []
        cache: dict[str, object]
        for name, cache, parse in self.fields:
            raw = get(name)
            if raw is None:
                raw = ""
            elif type(raw) is not str:
                return None
            value = cache.get(raw, _MISSING)
            if value is _MISSING:
                value = parse(raw)
                if len(cache) < QUICK_CACHE_SIZE:
                    cache[raw] = value
            if value is _BAD:
                return None
            parsed.append(value)
        balance_on, commune_id, rent, balance, months, last_payment_on, stage, procedure_on = parsed
        texts: list[str] = []
        for name, limit in _QUICK_TEXTS:
            # _quick_cell inlined (three calls a line): split() strips as strip() does.
            raw = get(name)
            if (
                type(raw) is not str
                or len(raw) > fmt.MAX_CELL_CHARS
                or raw.lstrip(" ").startswith(fmt.FORMULA_PREFIXES)
            ):
                return None
            text = " ".join(raw.split())
            if not text or len(text) > limit:
                return None
            texts.append(text)
        # One search for the three texts: a NIR is made of digits, letters A/B and separators
        # only, so no match can straddle the NUL between two of them. The cheap pattern is
        # the start of every NIR: where it is absent, there is none.
        joined = "\x00".join(texts)
        if _NIR_START.search(joined) and contains_nir(joined):
            return None
        today = self.lookups.today
        if not EARLIEST_DATE <= balance_on <= today:
            return None
        if last_payment_on is _EMPTY:
            last_payment_on = None
        elif not EARLIEST_DATE <= last_payment_on <= balance_on:
            return None
        if procedure_on is _EMPTY:
            procedure_on = None
        elif not EARLIEST_DATE <= procedure_on <= today:
            return None
        if (stage is _EMPTY) != (procedure_on is None):
            return None
        # Decimal constants: comparing a Decimal with an int converts the int every time.
        if not _ZERO < rent <= MAX_RENT or abs(balance) > MAX_BALANCE:
            return None
        if months is _EMPTY:
            months = max(_ZERO, balance / rent).quantize(_TENTH)
            if months > MAX_MONTHS:
                return None
        elif months != months.quantize(_TENTH) or not _ZERO <= months <= MAX_MONTHS:
            return None
        elif balance <= _ZERO:
            if months > _ZERO:
                return None
        elif abs(months - balance / rent) > MONTHS_TOLERANCE:
            return None
        return CleanLine(
            texts[0],
            balance_on,
            texts[1],
            texts[2],
            commune_id,
            rent,
            balance,
            months,
            last_payment_on,
            "" if stage is _EMPTY else stage,
            procedure_on,
        )


_QUICK_TEXTS = tuple(
    (name, fmt.MAX_LENGTHS[name]) for name in ("lease_reference", "tenant_names", "address")
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
    _quick: _QuickPath = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._quick = _QuickPath(self.lookups)

    def add(self, errors: Iterable[LineError]) -> None:
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)

    def line(
        self, values: Mapping[str, object], *, line: int | None, labels: Mapping[str, str]
    ) -> CleanLine | None:
        self.lines += 1
        clean = self._quick.line(values)
        if clean is None:
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
    # Every column has a header (the usual case): a line's values are its cells zipped with
    # the fields, without the per-cell checks below.
    fields = None if None in layout.columns else cast(tuple[str, ...], layout.columns)
    for number, cells in rows:
        if fields is not None and len(cells) <= width:
            values = dict(zip(fields, cells, strict=False))  # a short line lacks the last
        else:
            values = _cell_values(number, cells, layout, checker)
        clean = checker.line(values, line=number, labels=layout.labels)
        if on_line is not None:
            on_line(checker.lines)
        if clean is not None:
            yield clean
    if checker.lines == 0:
        checker.add([LineError(None, "", _("The file has a header but no line of data."))])


def _cell_values(
    number: int, cells: list[object], layout: Layout, checker: Checker
) -> dict[str, object]:
    """A line's values, field by field; a value past the last column or under an empty
    header is an error (the line is still checked)."""
    width = len(layout.columns)
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
    return values


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
