"""CSV and XLSX of any indicator table, with the HCP credit when population figures show."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tbib.accounts.choices import UserRole
from tbib.supervision.choices import Level
from tbib.supervision.export import to_csv, to_xlsx
from tbib.supervision.indicators import SpecialtyRow, indicator_table
from tbib.supervision.period import Period
from tests.factories import UserFactory
from tests.supervision.conftest import October

pytestmark = pytest.mark.django_db
CREDIT = "Population: Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0."


def test_an_indicator_table_as_csv_and_xlsx(october: October) -> None:
    planner = UserFactory(role=UserRole.PLANNER)
    rows = indicator_table(planner, Period.month(2026, 10), by=Level.REGION)
    lines = list(csv.reader(io.StringIO(to_csv(rows))))
    assert lines[0][:4] == ["level", "code", "name", "units"]
    draa = next(line for line in lines if line[1] == "08")
    assert draa[lines[0].index("consultations")] == "6"
    assert draa[lines[0].index("referrals_completed")] == "0"
    assert draa[lines[0].index("referrals_completed_share")] == "0.0"
    assert lines[-1] == [f"# {CREDIT}"]

    sheet = load_workbook(io.BytesIO(to_xlsx(rows, title="Régions, octobre 2026"))).active
    assert sheet is not None and sheet.title == "Régions, octobre 2026"
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == lines[0]
    assert table[1 + [r.code for r in rows].index("08")][lines[0].index("consultations")] == 6
    assert table[-1][0] == CREDIT


def test_a_table_without_census_figures_has_no_credit() -> None:
    rows = [SpecialtyRow("cardiology", 4, 4, 2400.0, 8640.0, 3, 0.75)]
    assert to_csv(rows).splitlines() == [
        "specialty,requests,answered,answer_median_s,answer_p90_s,answered_within_sla,"
        "answered_within_sla_share",
        "cardiology,4,4,2400.0,8640.0,3,0.75",
    ]
    assert to_csv([]) == "\r\n"
