"""Any indicator table (a list of the dataclass rows of indicators.py or quality.py) as CSV or
as an Excel workbook, with the census credit when the table shows HCP population figures."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from tbib.geo.api import HCP_CREDIT

# Columns whose figures come from the HCP census: a table showing one carries the credit.
_CENSUS_COLUMNS = frozenset({"population_visited", "population_reached_share"})


def columns_and_rows(rows: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    """The field names of the rows' dataclass and each row's values in that order."""
    if not rows:
        return [], []
    names = [field.name for field in dataclasses.fields(rows[0])]
    return names, [[getattr(row, name) for name in names] for row in rows]


def credit_for(columns: Sequence[str]) -> str | None:
    return HCP_CREDIT if _CENSUS_COLUMNS.intersection(columns) else None


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: local time, as the screens show it.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def to_csv(rows: Sequence[Any]) -> str:
    """CSV text: a header line, one line per row, then the credit line if any."""
    names, values = columns_and_rows(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    writer.writerows([["" if v is None else _cell(v) for v in row] for row in values])
    credit = credit_for(names)
    if credit:
        writer.writerow([f"# {credit}"])
    return out.getvalue()


def to_xlsx(rows: Sequence[Any], *, title: str = "Indicators") -> bytes:
    """An .xlsx workbook: one sheet with the table (bold header), the credit under it."""
    names, values = columns_and_rows(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in values:
        sheet.append([_cell(v) for v in row])
    credit = credit_for(names)
    if credit:
        sheet.append([])
        sheet.append([credit])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
