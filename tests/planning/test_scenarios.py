"""Scenarios: the network is built from an allocated plan; planners run, map, download,
compare and adopt scenarios; nobody else reaches the screens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tbib.network.models import MobileUnit
from tbib.planning import selectors, services
from tbib.planning.allocation import Plan, violations
from tbib.planning.models import Scenario, ScenarioStatus
from tests.factories import UserFactory, unit_staff

pytestmark = pytest.mark.django_db
SMALL = {"units": 8, "provinces": 6, "budget_mad": 40_000_000, "communes_per_unit": 4,
         "radius_km": 50, "time_limit_s": 30}  # fmt: skip


def _planner_client(role: UserRole = UserRole.PLANNER) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def _recheck(document: dict[str, Any]) -> list[str]:
    """The independent checker over a saved document (not trusting what the run reported)."""
    sites = selectors.sites(selectors.access())
    params = services.parameters_from(document["parameters"])
    plan = Plan({u["base"]: u["communes"] for u in document["units"]}, document["objective"])
    return violations(plan, sites, params)


def test_the_network_runs_on_the_adopted_plan() -> None:
    adopted = Scenario.objects.get(adopted=True)
    assert _recheck(adopted.document) == []
    bases = {unit["base"] for unit in adopted.document["units"]}
    homes = set(MobileUnit.objects.values_list("home_commune_id", flat=True))
    assert homes == bases and len(bases) == 50
    pilots = MobileUnit.objects.filter(is_pilot=True)
    assert {u.home_commune_id for u in pilots} == set(selectors.pilot_codes())
    assert MobileUnit.objects.get(code="midelt-1").home_commune_id == "08.363.15.07"
    assert adopted.covered_communes >= 160  # the programme reaches 160 rural communes


def _run_queued(client: Client, capture: Callable[..., Any], name: str, **values: Any) -> Scenario:
    with capture(execute=False) as callbacks:
        response = client.post("/planning/scenarios/new", {"name": name, **SMALL, **values})
    assert response.status_code == 302, response.content.decode()[:500]
    scenario = Scenario.objects.get(name=name)
    assert scenario.status == ScenarioStatus.QUEUED and len(callbacks) == 1
    # The job itself, run here rather than in a thread (the test's transaction is not shared).
    services.run_scenario(str(scenario.pk))
    assert response["Location"] == f"/planning/scenarios/{scenario.pk}/"
    scenario.refresh_from_db()
    return scenario


def test_a_planner_runs_maps_downloads_compares_and_adopts_scenarios(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = _planner_client()
    page = client.get("/planning/")
    assert page.status_code == 200
    assert 'data-testid="access-table"' in page.content.decode()
    assert "Haut-Commissariat au Plan" in page.content.decode()

    tight = _run_queued(client, django_capture_on_commit_callbacks, "Tight", radius_km=30)
    wide = _run_queued(client, django_capture_on_commit_callbacks, "Wide")
    for scenario in (tight, wide):
        assert scenario.status == ScenarioStatus.DONE, scenario.error
        assert _recheck(scenario.document) == []
        assert scenario.gap is not None and scenario.gap <= 0.01
    assert wide.underserved_reached >= tight.underserved_reached  # a looser radius never loses

    html = client.get(f"/planning/scenarios/{wide.pk}/").content.decode()
    assert html.count('class="province"') == 75
    assert html.count('class="unit"') == 8
    assert html.count('class="served"') == wide.covered_communes

    collection = json.loads(client.get(f"/planning/scenarios/{wide.pk}/plan.geojson").content)
    layers = [f["properties"]["layer"] for f in collection["features"]]
    assert collection["type"] == "FeatureCollection"
    assert (layers.count("province"), layers.count("base")) == (75, 8)
    assert layers.count("served") == layers.count("link") == wide.covered_communes
    csv_text = client.get(f"/planning/scenarios/{wide.pk}/plan.csv").content.decode()
    assert len(csv_text.strip().splitlines()) == 1 + 8 + 1  # header, units, credit
    assert client.get(f"/planning/scenarios/{wide.pk}/plan.exe").status_code == 404

    compared = client.get("/planning/compare/", {"ids": [str(tight.pk), str(wide.pk)]})
    body = compared.content.decode()
    assert compared.status_code == 200 and "Tight" in body and "Wide" in body
    assert f"{wide.covered_population:,}".replace(",", "\u202f") in body or str(
        wide.covered_population
    ) in body.replace("\u202f", "").replace("\xa0", "").replace(",", "")
    mangled = client.get("/planning/compare/", {"ids": ["not-a-uuid", str(wide.pk)]})
    assert mangled.status_code == 302  # one scenario left: back to the list, with a message

    assert client.post(f"/planning/scenarios/{wide.pk}/adopt").status_code == 302
    assert Scenario.objects.get(adopted=True) == wide


def test_an_impossible_scenario_fails_with_its_reason(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = _planner_client(UserRole.NATIONAL_COORDINATOR)
    scenario = _run_queued(client, django_capture_on_commit_callbacks, "Broke", budget_mad=1e6)
    assert scenario.status == ScenarioStatus.FAILED
    assert scenario.error  # shown on the scenario's page
    assert "Broke" in client.get(f"/planning/scenarios/{scenario.pk}/").content.decode()


def test_bad_parameters_are_refused_with_a_message() -> None:
    client = _planner_client()
    response = client.post("/planning/scenarios/new", {"name": "x", **SMALL, "provinces": 9})
    assert response.status_code == 400
    assert "provinces" in response.content.decode().lower()
    assert not Scenario.objects.filter(name="x").exists()


def test_planning_is_for_planners_and_national_coordinators() -> None:
    gp = Client()
    gp.force_login(unit_staff(UserRole.GP, "midelt-1"))
    for url in ("/planning/", "/planning/access.csv", "/planning/compare/"):
        assert gp.get(url).status_code == 403
    assert Client().get("/planning/").status_code == 302  # to the sign-in page
