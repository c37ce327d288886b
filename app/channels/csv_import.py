"""Orders from a CSV file: marketplaces, POS exports, anything without an API.

Columns (header row required, names case-insensitive, order free; one row per order line, rows
of the same ``order_id`` form one order and must agree on the order-level columns):

============== ======== ==============================================================
column         required meaning
============== ======== ==============================================================
order_id       yes      the channel's order id (unique per channel)
sku            yes      product SKU
quantity       yes      whole units, > 0
ship_name      yes*     recipient name
ship_line1     yes*     street address
ship_city      yes*     city
ship_postcode  yes*     postcode (may be blank where the country has none)
ship_country   yes      ISO 3166-1 alpha-2 code (``GB``, ``US``)
order_number   no       the number people see (defaults to ``order_id``)
created_at     no       ISO 8601 time; without a zone it is taken as UTC
email          no       customer email
ship_line2     no
ship_region    no       state / province / county
ship_phone     no
billing_country no      ISO 3166-1 alpha-2 code
unit_price     no       decimal in major units (``12.50``); default 0
currency       no       ISO 4217 code, default ``USD``
paid           no       ``true``/``false`` (also yes/no, 1/0); default true
order_type     no       ``ship`` (default), ``ship_from_store`` or ``pickup``
pickup_location no      location code for a pickup order
service_level  no       e.g. ``standard`` (default), ``express``
channel        no       overrides the channel given to the importer for this order
============== ======== ==============================================================

(*) a blank address is accepted for ``pickup`` orders.

The file must be UTF-8 (a BOM is fine); ``decode_csv`` says so clearly for anything else. Every
cell is bounded (``MAX_CELL``: the hub's column sizes), ``quantity`` is 1 to ``MAX_QUANTITY`` and a
unit price at most ``MAX_UNIT_PRICE_MINOR`` minor units.

Errors are reported per row with the file's row number (the header is row 1). By default a file
with any bad row imports **nothing**; with ``only_good_rows=True`` every order that has no bad row
is imported and each order with a bad row is skipped **whole** (never a partial order).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from app.channels.base import ChannelError, from_minor, to_minor
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.orders import Address, Order, OrderLine, OrderType

REQUIRED = ("order_id", "sku", "quantity", "ship_country")
ADDRESS = ("ship_name", "ship_line1", "ship_city", "ship_postcode")
OPTIONAL = (
    "order_number",
    "created_at",
    "email",
    "ship_line2",
    "ship_region",
    "ship_phone",
    "billing_country",
    "unit_price",
    "currency",
    "paid",
    "order_type",
    "pickup_location",
    "service_level",
    "channel",
)
COLUMNS = REQUIRED + ADDRESS + OPTIONAL


def columns_help() -> str:
    """The column table of this module's docstring (for ``--help``): one source for both."""
    doc = __doc__ or ""
    start = doc.index("=====")
    end = doc.index("(*)", start)
    table, note = doc[start:end].rstrip(), doc[end:].split("\n")[0]
    return f"columns (one row per order line, header row first):\n{table}\n{note}"


# Order-level columns every row of one order must repeat identically (or leave blank after the first).
ORDER_LEVEL = tuple(c for c in COLUMNS if c not in {"order_id", "sku", "quantity", "unit_price"})

# Longest cell per column (the hub's column sizes); any other column: DEFAULT_CELL.
MAX_CELL = {
    "order_id": 100,
    "order_number": 100,
    "sku": 64,
    "channel": 40,
    "service_level": 40,
    "email": 200,
    "ship_name": 200,
    "ship_line1": 200,
    "ship_line2": 200,
    "ship_city": 100,
    "ship_region": 100,
    "ship_postcode": 20,
    "ship_phone": 40,
    "pickup_location": 32,
}
DEFAULT_CELL = 64
MAX_QUANTITY = 10_000
MAX_UNIT_PRICE_MINOR = 10**12

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(rows_done, rows_total)`` while parsing."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # file row number; the header is row 1
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(slots=True)
class CsvImportResult:
    """``orders`` are the ones to store. ``skipped_orders`` lists order ids left out because of a bad
    row (only-good-rows mode); in all-or-nothing mode a single error empties ``orders``."""

    orders: list[Order] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_orders: list[str] = field(default_factory=list)
    rows: int = 0
    only_good_rows: bool = False

    @property
    def summary(self) -> str:
        if not self.errors:
            return f"{len(self.orders)} orders from {self.rows} rows, no errors"
        bad_rows = len({e.row for e in self.errors})
        if self.rows == 0 and all(e.row == 1 for e in self.errors):
            return "nothing imported: the header row is not right (`packbench hub import-csv --help` lists the columns)"
        if not self.only_good_rows:
            return f"nothing imported: {bad_rows} bad row(s) of {self.rows}; fix them or use --only-good-rows"
        return (
            f"{len(self.orders)} orders imported from the good rows; {len(self.skipped_orders)} order(s) "
            f"skipped whole because of {bad_rows} bad row(s)"
        )


@dataclass(slots=True)
class _Draft:
    first_row: int
    head: dict[str, str]
    lines: list[OrderLine] = field(default_factory=list)
    bad: bool = False


class CsvFileError(ValueError):
    """The file cannot be read as a CSV of orders at all (not a row's fault)."""


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8, with or without a BOM. Anything else is a ``CsvFileError`` that says
    what the file looks like and how to save it instead."""
    head = data[:4096]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 4 > len(head):
        raise CsvFileError("the file looks like UTF-16 text: save it as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start}; "
            "perhaps Latin-1 or Windows-1252): save it as CSV UTF-8"
        ) from None


def _count_rows(text: str) -> int:
    try:
        return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)
    except csv.Error:  # the parse reports it on its row
        return max(0, text.count("\n") - 1)


def _rows(reader: csv.DictReader[str], result: CsvImportResult) -> Iterator[tuple[int, dict[str | Any, Any]]]:
    """(file row number, row) for each row; a row the csv module cannot read ends the file with a row error."""
    row_no = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.rows += 1
            result.errors.append(RowError(row_no + 1, f"cannot read this row ({exc}): nothing after it was read"))
            return
        row_no += 1
        yield row_no, raw


def parse_orders(
    source: str | IO[str],
    *,
    channel: str = "csv",
    only_good_rows: bool = False,
    progress: ProgressCallback | None = None,
    progress_every: int = 500,
    known_skus: Collection[str] | None = None,
) -> CsvImportResult:
    """Parse a CSV of orders (see the module docstring for the columns). Stores nothing.

    With ``known_skus`` a row whose SKU is not in the catalogue is a row error too."""
    text = source if isinstance(source, str) else source.read()
    text = text.removeprefix("\ufeff")  # spreadsheet exports often start with a BOM
    total = _count_rows(text) if progress else 0
    result = CsvImportResult(only_good_rows=only_good_rows)
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.errors.append(RowError(1, f"cannot read the header row ({exc})"))
        return result
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(RowError(1, "header is missing required column(s): " + ", ".join(missing)))
        return result
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        result.errors.append(RowError(1, "unknown column(s): " + ", ".join(unknown)))
        return result
    reader.fieldnames = header
    drafts: dict[tuple[str, str], _Draft] = {}
    for row_no, raw in _rows(reader, result):
        result.rows += 1
        if progress and result.rows % progress_every == 0:
            progress(result.rows, total)
        if None in raw:  # more cells than header columns
            result.errors.append(RowError(row_no, "more cells than the header has columns"))
            continue
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        broken = next((k for k, v in row.items() if "\n" in v or "\r" in v), None)
        if broken is not None:  # an order cell never spans lines: a quote was opened and not closed
            result.errors.append(
                RowError(
                    row_no,
                    'runs over a line break: a quote (") opened in this row is not closed, '
                    "so the rows after it were read into this cell",
                    broken,
                )
            )
            continue
        _take_row(row, row_no, channel, drafts, result, known_skus)
    if progress:
        progress(result.rows, result.rows)  # the bar ends here whatever the first count said
    if result.rows == 0 and not result.errors:
        result.errors.append(RowError(1, "the file has a header but no rows"))
    for (_ch, order_id), draft in drafts.items():
        if draft.bad:
            result.skipped_orders.append(order_id)
            continue
        try:
            result.orders.append(_build(draft, channel))
        except (DomainError, ChannelError, ValueError) as exc:
            result.errors.append(RowError(draft.first_row, str(exc)))
            result.skipped_orders.append(order_id)
    if result.errors and not only_good_rows:
        result.orders = []
    result.errors.sort(key=lambda e: e.row)
    return result


def _take_row(
    row: dict[str, str],
    row_no: int,
    channel: str,
    drafts: dict[tuple[str, str], _Draft],
    result: CsvImportResult,
    known_skus: Collection[str] | None,
) -> None:
    errors: list[RowError] = []
    for col, value in row.items():
        limit = MAX_CELL.get(col, DEFAULT_CELL)
        if len(value) > limit:
            errors.append(RowError(row_no, f"{len(value)} characters, at most {limit}", col))
            row[col] = ""  # reported once; the checks below do not quote it again
        elif "\x00" in value:
            errors.append(RowError(row_no, "contains a NUL character", col))
            row[col] = ""
    if errors:
        result.errors.extend(errors)
        return
    for col in REQUIRED:
        if not row.get(col):
            errors.append(RowError(row_no, "is required", col))
    if known_skus is not None and row.get("sku") and row["sku"] not in known_skus:
        errors.append(RowError(row_no, f"unknown SKU {row['sku']!r}", "sku"))
    order_id = row.get("order_id", "")
    key = (row.get("channel") or channel, order_id)
    line: OrderLine | None = None
    if not errors:
        try:
            quantity = int(row["quantity"])
        except ValueError:
            errors.append(RowError(row_no, f"{row['quantity']!r} is not a whole number", "quantity"))
        else:
            if not 1 <= quantity <= MAX_QUANTITY:
                errors.append(RowError(row_no, f"{quantity} is not between 1 and {MAX_QUANTITY}", "quantity"))
                quantity = 1  # the row is bad already; go on checking its other cells
            currency = (row.get("currency") or "USD").upper()
            try:
                minor = to_minor(row.get("unit_price") or "0", currency)
                if not 0 <= minor <= MAX_UNIT_PRICE_MINOR:
                    raise ChannelError(
                        f"{row['unit_price']!r} is not between 0 and {from_minor(MAX_UNIT_PRICE_MINOR, currency)}"
                    )
                line = OrderLine(row["sku"], quantity, Money(minor, currency))
            except ChannelError as exc:
                errors.append(RowError(row_no, str(exc), "unit_price"))
            except (DomainError, ValueError) as exc:
                errors.append(RowError(row_no, str(exc)))
        errors.extend(_check_order_fields(row, row_no))
    draft = drafts.get(key) if order_id else None
    if draft is not None:
        for col in ORDER_LEVEL:
            value = row.get(col, "")
            if value and draft.head.get(col, "") != value:
                errors.append(RowError(row_no, f"{value!r} differs from row {draft.first_row} of the same order", col))
    elif order_id:
        draft = drafts[key] = _Draft(row_no, row)
    if errors:
        result.errors.extend(errors)
        if draft is not None:
            draft.bad = True
    elif draft is not None and line is not None:
        draft.lines.append(line)


def _check_order_fields(row: dict[str, str], row_no: int) -> list[RowError]:
    errors: list[RowError] = []
    country = row.get("ship_country", "")
    if country and (len(country) != 2 or not country.isalpha()):
        errors.append(RowError(row_no, f"{country!r} is not a 2-letter country code", "ship_country"))
    billing = row.get("billing_country", "")
    if billing and (len(billing) != 2 or not billing.isalpha()):
        errors.append(RowError(row_no, f"{billing!r} is not a 2-letter country code", "billing_country"))
    paid = row.get("paid", "").lower()
    if paid and paid not in _TRUE | _FALSE:
        errors.append(RowError(row_no, f"{row['paid']!r} is not true/false", "paid"))
    kind = row.get("order_type", "").lower()
    if kind and kind not in {t.value for t in OrderType}:
        errors.append(RowError(row_no, f"{row['order_type']!r} is not ship, ship_from_store or pickup", "order_type"))
    is_pickup = kind == OrderType.PICKUP.value
    if not is_pickup:
        for col in ("ship_name", "ship_line1", "ship_city"):
            if not row.get(col):
                errors.append(RowError(row_no, "is required for a shipped order", col))
    currency = row.get("currency", "")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        errors.append(RowError(row_no, f"{currency!r} is not a 3-letter currency code", "currency"))
    created = row.get("created_at", "")
    if created:
        try:
            _utc(created)
        except (ValueError, OverflowError):
            errors.append(RowError(row_no, f"{created!r} is not an ISO 8601 time", "created_at"))
    return errors


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _build(draft: _Draft, channel: str) -> Order:
    h = draft.head
    currency = (h.get("currency") or "USD").upper()
    created = _utc(h["created_at"]) if h.get("created_at") else None
    total = Money(0, currency)
    for line in draft.lines:
        total = total + line.unit_price.times(line.quantity)
    email = h.get("email", "")
    return Order(
        channel=h.get("channel") or channel,
        channel_order_id=h["order_id"],
        number=h.get("order_number") or h["order_id"],
        lines=draft.lines,
        ship_to=Address(
            name=h.get("ship_name", ""),
            line1=h.get("ship_line1", ""),
            line2=h.get("ship_line2", ""),
            city=h.get("ship_city", ""),
            region=h.get("ship_region", ""),
            postcode=h.get("ship_postcode", ""),
            country=h["ship_country"].upper(),
            phone=h.get("ship_phone", ""),
            email=email,
        ),
        order_type=OrderType(h.get("order_type", "").lower() or OrderType.SHIP.value),
        location_code=h.get("pickup_location") or None,
        created_at=created,
        paid=h.get("paid", "").lower() not in _FALSE,
        total=total,
        service_level=h.get("service_level") or "standard",
        customer_email=email,
        billing_country=(h.get("billing_country") or "").upper() or None,
    )


def write_orders(orders: Iterable[Order]) -> Iterator[str]:
    """The documented CSV shape for ``orders``, one string per line (header first): exports and fixtures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    cols = [*REQUIRED, *ADDRESS, "order_number", "email", "unit_price", "currency", "paid", "order_type"]
    writer.writerow(cols)
    yield out.getvalue()
    for order in orders:
        for line in order.lines:
            out.seek(0)
            out.truncate()
            a = order.ship_to
            price = line.unit_price
            writer.writerow(
                [
                    order.channel_order_id,
                    line.sku,
                    line.quantity,
                    a.country,
                    a.name,
                    a.line1,
                    a.city,
                    a.postcode,
                    order.number,
                    order.customer_email,
                    from_minor(price.amount_minor, price.currency),
                    price.currency,
                    "true" if order.paid else "false",
                    order.order_type.value,
                ]
            )
            yield out.getvalue()
