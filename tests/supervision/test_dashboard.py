"""The hubs' dashboards over HTTP: scoped to the viewer's place, figures as hand-counted in
conftest.py (October 2026), every table exported, the monthly PDF and the DHIS2 file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.dhis2.service import write_demo_mapping
from tbib.network.models import MobileUnit
from tbib.supervision.views import TABLES
from tests.factories import UserFactory, regional_coordinator, specialist, unit_staff
from tests.supervision.conftest import October

pytestmark = pytest.mark.django_db
OCTOBER = {"period": "month", "month": "2026-10"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def national() -> Client:
    return _client(UserFactory(username="dash-national", role=UserRole.NATIONAL_COORDINATOR))


@pytest.fixture
def draa() -> Client:
    return _client(regional_coordinator("08"))


def test_the_national_coordinator_sees_every_region_and_the_hand_counted_month(
    national: Client, october: October
) -> None:
    response = national.get("/supervision/", OCTOBER)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["summary"].consultations == 7
    regions = {row.code: row for row in response.context["breakdown"]}
    assert regions["08"].consultations == 6 and regions["02"].consultations == 1
    assert page.count('data-testid="map-unit"') == MobileUnit.objects.count()
    assert 'data-testid="chart-consultations"' in page and 'class="bar"' in page
    assert "HCP" in page  # census figures are credited


def test_a_regional_coordinator_sees_only_their_region(draa: Client, october: October) -> None:
    response = draa.get("/supervision/", OCTOBER)
    assert response.status_code == 200
    assert response.context["summary"].consultations == 6
    provinces = [row.code for row in response.context["breakdown"]]
    assert provinces and all(code.startswith("08.") for code in provinces)
    in_region = MobileUnit.objects.filter(province__region_id="08").count()
    assert response.content.decode().count('data-testid="map-unit"') == in_region
    # Another region, the nation or a unit elsewhere: refused with a reason, not an empty page.
    for place in ({"level": "region", "code": "02"}, {"level": "nation"},
                  {"level": "unit", "code": "figuig-1"}):  # fmt: skip
        refused = draa.get("/supervision/", {**OCTOBER, **place})
        assert refused.status_code == 403, place
    assert draa.get("/supervision/units/figuig-1/2026-10-08/").status_code == 403


def test_drilling_down_to_a_unit_and_its_day(draa: Client, october: October) -> None:
    province = draa.get("/supervision/", {**OCTOBER, "level": "province", "code": "08.363"})
    assert [row.code for row in province.context["breakdown"]] == ["midelt-1", "midelt-2"]
    unit = draa.get("/supervision/", {**OCTOBER, "level": "unit", "code": "midelt-1"})
    assert unit.context["summary"].consultations == 3
    days = unit.context["days"]
    assert [str(d["date"]) for d in days] == [
        "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-10-28"
    ]  # fmt: skip
    assert [d["consultations"] for d in days] == [1, 2, 0, 0, 0]
    day = draa.get("/supervision/units/midelt-1/2026-10-12/")
    assert day.status_code == 200
    assert [stop.signed for stop in day.context["stops"]] == [2]
    assert day.context["summary"].consultations == 2
    page = day.content.decode()
    for patient in october.patients.values():  # figures, never patients' names
        assert str(patient) not in page and patient.family_name_ar not in page, patient.pk


def test_live_refresh_returns_the_panel_only(national: Client, october: October) -> None:
    response = national.get("/supervision/", OCTOBER, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="dashboard"') and "<html" not in body


def test_who_may_open_the_dashboards() -> None:
    assert Client().get("/supervision/").status_code == 302  # to the sign-in page
    assert _client(specialist("cardiology")).get("/supervision/").status_code == 403
    planner = _client(UserFactory(username="dash-planner", role=UserRole.PLANNER))
    assert planner.get("/supervision/").status_code == 200
    nurse = _client(unit_staff(UserRole.NURSE, "midelt-1", username="dash-nurse"))
    mine = nurse.get("/supervision/")
    assert mine.status_code == 200 and mine.context["selection"].scope.code == "midelt-1"


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13"},
        {"month": "octobre"},
        {"period": "week"},
        {"period": "year", "year": "20266"},
        {"level": "galaxy"},
    ],  # fmt: skip
)
def test_a_bad_selection_is_a_readable_400(national: Client, params: dict[str, str]) -> None:
    response = national.get("/supervision/", params)
    assert response.status_code == 400
    assert 'data-testid="refusal"' in response.content.decode()


def test_every_table_exports_as_csv_and_xlsx(national: Client, october: October) -> None:
    for table in TABLES:
        csv = national.get(f"/supervision/export/{table}.csv", OCTOBER)
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv"), table
        xlsx = national.get(f"/supervision/export/{table}.xlsx", OCTOBER)
        assert xlsx.status_code == 200, table
        load_workbook(io.BytesIO(xlsx.content))  # a real workbook
    lines = national.get("/supervision/export/breakdown.csv", OCTOBER).content.decode()
    assert lines.splitlines()[0].startswith("level,code,name")
    assert "HCP" in lines.splitlines()[-1]
    assert national.get("/supervision/export/patients.csv", OCTOBER).status_code == 404


def test_the_monthly_report_is_a_pdf_for_a_month(draa: Client, october: October) -> None:
    response = draa.get("/supervision/report.pdf", OCTOBER)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    year = draa.get("/supervision/report.pdf", {"period": "year", "year": "2026"})
    assert year.status_code == 400


def test_the_dhis2_file_needs_a_mapping_and_national_scope(
    national: Client, draa: Client, october: October, settings: object, tmp_path: Path
) -> None:
    settings.TBIB_DHIS2_MAPPING = tmp_path / "missing.json"  # type: ignore[attr-defined]
    missing = national.get("/supervision/dhis2.json", OCTOBER)
    assert missing.status_code == 409 and "TBIB_DHIS2_MAPPING" in missing.content.decode()
    settings.TBIB_DHIS2_MAPPING = write_demo_mapping(tmp_path / "mapping.json")  # type: ignore[attr-defined]
    response = national.get("/supervision/dhis2.json", OCTOBER)
    assert response.status_code == 200
    values = json.loads(response.content)["dataValues"]
    assert {v["period"] for v in values} == {"202610"}
    assert response["X-Tbib-Not-Mapped"] == "0"
    assert draa.get("/supervision/dhis2.json", OCTOBER).status_code == 403
