"""A working day of the network against the hub: unit teams, specialists, coordinators, edges.

Driven by `benchmarks/load_test.py`, which builds the database and writes the setup file
named by TBIB_LOAD_SETUP (accounts and their credentials, each unit's patients, enrolled
edges). Each simulated person holds a bearer token for the API and a session for the pages:
nine in ten got theirs at setup (signed in earlier that day), one in ten signs in at start.
Then they work with human think times:

- Nurse (40 % of the people; 2–10 s before each step): today's screen `/unit/`, search a
  patient by name, start the encounter with vitals.
- Gp (25 %; 3–12 s): the patient's chart, an encounter with vitals and a diagnosis, notes,
  signature; one consultation in five also asks a specialist (draft, submit).
- Specialist (14 %; 5–20 s): queue page `/platform/`, a case view, claim and answer (API);
  one iteration in five reads the queue API instead.
- Coordinator (6 %; 10–30 s): `/supervision/` of their place (the nation, or their region),
  one level down, a unit's day, the dashboard's htmx refresh.
- Edge (15 %): a sync round every 30 s (the edge's default interval): pull until up to date,
  push one batch.

The edge's rounds speak the replication wire format through `tbib.sync.wire` (msgpack + zstd),
with the edge's hybrid logical clock (`tbib.sync.hlc.Clock`): each push registers a patient
offline, as a unit working on its own laptop would. The edge's local database is not
simulated (one SQLite file per simulated van would measure the load generator, not the hub).

`python benchmarks/load/locustfile.py --once HOST` runs every task of every class once, in
order, and exits non-zero on any failed request (tests/test_load_scenario.py).
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
import os
import random
import re
import sys
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant_pacing, task
from locust.env import Environment

# The edge needs the models' column lists to write wire rows, not a database connection.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
import django  # noqa: E402

django.setup()

from tbib.patients.models import Patient  # noqa: E402
from tbib.sync import wire  # noqa: E402
from tbib.sync.client import BATCH_TYPE, PULL_LIMIT  # noqa: E402
from tbib.sync.hlc import Clock  # noqa: E402

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CASE_LINK = re.compile(r"/platform/cases/([0-9a-f-]{36})/")
# Common diagnoses of a mobile unit's day (WHO ICD-10).
_DIAGNOSES = ["J06.9", "I10", "E11.9", "K29.7", "M54.5", "N39.0", "L30.9", "B86"]


@functools.cache
def setup() -> dict[str, Any]:
    return json.loads(Path(os.environ["TBIB_LOAD_SETUP"]).read_text())


# Simulated people take the accounts in turn (several may share one at 200 users).
_turns: dict[str, itertools.count[int]] = {}


def _next(pool: list[Any], kind: str) -> Any:
    counter = _turns.setdefault(kind, itertools.count())
    return pool[next(counter) % len(pool)]


def _vitals(rng: random.Random) -> dict[str, float]:
    systolic = rng.randint(100, 165)
    return {
        "systolic_bp": systolic,
        "diastolic_bp": systolic - rng.randint(35, 60),  # always below the systolic
        "heart_rate": rng.randint(58, 110),
        "temperature": round(rng.uniform(36.2, 38.9), 1),
        "spo2": rng.randint(92, 100),
        "weight": round(rng.uniform(45, 95), 1),
    }


class _Person(HttpUser):
    """Someone with an account: a bearer token for the API, a session for the pages."""

    abstract = True
    username = ""
    # Most people signed in earlier in the day (their token and session last 12 hours); the
    # others sign in now, through Argon2id (about 0.5 s of CPU per password check here).
    signs_in = 0.1

    def on_start(self) -> None:
        self.rng = random.Random()
        signed = setup()["signed_in"].get(self.username)
        if signed is None or self.rng.random() < self.signs_in:
            self.sign_in()
            return
        self.auth = {"Authorization": f"Bearer {signed['token']}"}
        self.client.cookies.set("sessionid", signed["session"])

    def sign_in(self) -> None:
        password = setup()["password"]
        with self.client.post(
            "/api/auth/token",
            json={"username": self.username, "password": password},
            name="/api/auth/token",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                raise RuntimeError(f"{self.username} could not sign in")
            self.auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        page = self.client.get("/accounts/login/", name="/accounts/login/ (form)")
        found = _CSRF.search(page.text)
        assert found, "no CSRF token on the login form"
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": password,
                  "csrfmiddlewaretoken": found.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/",
            catch_response=True,
        ) as response:  # fmt: skip
            if "sessionid" not in self.client.cookies:
                response.failure(f"no session for {self.username}")

    def page(self, path: str, name: str, **kwargs: Any) -> str:
        """A server-rendered page; failed if it sent the person back to the login form."""
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
            return str(response.text)

    def api(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        """An API call; the parsed JSON answer, or None when it failed."""
        expect = kwargs.pop("expect", (200, 201))
        with self.client.request(
            method, path, name=name, headers=self.auth, catch_response=True, **kwargs
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            response.success()  # an expected 409 too
            return response.json() if response.content else {}


class Nurse(_Person):
    """Triage at the van's door: finds (or is told) the patient, measures, queues for the GP."""

    weight = 40
    wait_time = between(2, 10)

    def on_start(self) -> None:
        units = setup()["units"]
        # The first nurse of every unit, then the second: 50 nurses cover 50 units.
        pairs = [(unit, unit["nurses"][i]) for i in range(2) for unit in units]
        self.unit, self.username = _next(pairs, "nurse")
        super().on_start()

    @task
    def triage(self) -> None:
        self.page("/unit/", "/unit/")
        self.wait()
        patient = self.rng.choice(self.unit["patients"])
        self.api("GET", "/api/patients", "/api/patients?q=", params={"q": patient["family"]})
        self.wait()
        self.api("POST", "/api/encounters", "/api/encounters (nurse)", json={
            "patient_id": patient["id"], "reason": "Consultation", "triage": 2,
            "vitals": _vitals(self.rng)})  # fmt: skip


class Gp(_Person):
    """The van's doctor: a consultation from chart to signature; sometimes asks a specialist."""

    weight = 25
    wait_time = between(3, 12)
    asks_specialist = 0.2  # share of consultations that end with a tele-expertise request

    def on_start(self) -> None:
        self.unit = _next(setup()["units"], "gp-unit")
        self.username = self.unit["gp"]
        super().on_start()

    @task
    def consultation(self) -> None:
        patient = self.rng.choice(self.unit["patients"])
        self.api("GET", "/api/encounters", "/api/encounters?patient=",
                 params={"patient": patient["id"]})  # fmt: skip
        self.wait()
        encounter = self.api("POST", "/api/encounters", "/api/encounters (gp)", json={
            "patient_id": patient["id"], "reason": "Consultation", "triage": 2,
            "vitals": _vitals(self.rng), "diagnoses": [self.rng.choice(_DIAGNOSES)]})  # fmt: skip
        if encounter is None:
            return
        path = f"/api/encounters/{encounter['id']}"
        self.wait()
        notes = {"history": "Depuis trois jours.", "examination": "Sans particularité."}
        self.api("PATCH", path, "/api/encounters/[id]", json=notes)
        if self.rng.random() < self.asks_specialist:
            self.wait()
            self.ask_specialist(encounter["id"])
        self.wait()
        self.api("POST", f"{path}/sign", "/api/encounters/[id]/sign")

    def ask_specialist(self, encounter_id: str) -> None:
        case = self.api("POST", "/api/cases", "/api/cases (draft)", json={
            "encounter_id": encounter_id, "specialty": self.rng.choice(setup()["specialties"]),
            "question": "Avis sur la conduite à tenir ?", "consent": True})  # fmt: skip
        if case is not None:
            self.api("POST", f"/api/cases/{case['id']}/submit", "/api/cases/[id]/submit",
                     json={"consent": True})  # fmt: skip


class Specialist(_Person):
    """A specialist of the central platform working through their specialty's queue."""

    weight = 14
    wait_time = between(5, 20)

    def on_start(self) -> None:
        self.username = _next(setup()["specialists"], "specialist")
        super().on_start()

    @task(4)
    def answer_a_case(self) -> None:
        cases = _CASE_LINK.findall(self.page("/platform/", "/platform/"))
        if not cases:
            return
        # Colleagues read the same queue: take one of its head, not always the first.
        case_id = self.rng.choice(cases[:10])
        self.wait()
        self.page(f"/platform/cases/{case_id}/", "/platform/cases/[id]/")
        self.wait()
        # A colleague may have taken it meanwhile: 409 is the application's normal answer.
        claimed = self.api("POST", f"/api/cases/{case_id}/claim", "/api/cases/[id]/claim",
                           expect=(200, 409))  # fmt: skip
        if not claimed or claimed.get("status") != "claimed":
            return
        self.wait()
        self.api("POST", f"/api/cases/{case_id}/answer", "/api/cases/[id]/answer", json={
            "advice": "Poursuivre le traitement, contrôle dans un mois.",
            "diagnoses": [self.rng.choice(_DIAGNOSES)]})  # fmt: skip

    @task(1)
    def queue_api(self) -> None:
        self.api("GET", "/api/cases", "/api/cases")


class Coordinator(_Person):
    """A regional or the national coordinator watching the dashboards."""

    weight = 6
    wait_time = between(10, 30)

    def on_start(self) -> None:
        self.place = _next(setup()["coordinators"], "coordinator")
        self.username = self.place["username"]
        super().on_start()

    @task
    def supervise(self) -> None:
        self.page("/supervision/", "/supervision/")
        self.wait()
        level, code = self.rng.choice(self.place["below"])
        self.page("/supervision/", f"/supervision/?level={level}",
                  params={"level": level, "code": code})  # fmt: skip
        self.wait()
        unit = self.rng.choice(self.place["units"])
        today = datetime.date.today().isoformat()
        self.page(f"/supervision/units/{unit}/{today}/", "/supervision/units/[day]/")
        self.wait()
        # The dashboard's live refresh (htmx) asks for the panel only.
        self.page("/supervision/", "/supervision/ (htmx panel)", headers={"HX-Request": "true"})


class Edge(HttpUser):
    """A unit's laptop replicating with the hub, as `tbib edge sync` does every 30 s."""

    weight = 15
    wait_time = constant_pacing(30)

    def on_start(self) -> None:
        self.edge = _next(setup()["edges"], "edge")
        self.auth = {"Authorization": f"Bearer {self.edge['token']}"}
        self.cursor = int(self.edge["cursor"])
        self.clock = Clock(self.edge["node"])

    @task
    def sync_round(self) -> None:
        self.pull()
        self.push()

    def pull(self) -> None:
        more = True
        while more:
            with self.client.get(
                "/sync/pull", params={"after": self.cursor, "limit": PULL_LIMIT},
                headers=self.auth, name="/sync/pull", catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 200:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    return
                wire.decode(response.content)  # what the edge would apply
                self.cursor = int(response.headers["X-Tbib-Upto"])
                more = response.headers.get("X-Tbib-More") == "1"

    def push(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        patient = Patient(
            unit_id=uuid.UUID(self.edge["unit_id"]), given_name="Aicha", family_name="Ouali",
            sex="female", birth_date=datetime.date(1990, 5, 1), created_at=now, updated_at=now,
        )  # fmt: skip
        patient.refresh_name_keys()
        batch = {"batch": uuid.uuid4().bytes, "origin": self.edge["node"], "upto": 0,
                 "changes": [["patients.patient", self.clock.tick().encode(),
                              wire.row_of(patient)]]}  # fmt: skip
        with self.client.post(
            "/sync/push", data=wire.encode(batch), name="/sync/push", catch_response=True,
            headers={**self.auth, "Content-Type": BATCH_TYPE},
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")


USER_CLASSES: list[type[HttpUser]] = [Nurse, Gp, Specialist, Coordinator, Edge]


def run_each_task_once(host: str) -> tuple[list[str], list[str]]:
    """Every task of every class once, without think times: the requests made (`METHOD
    name status`) and the failed ones."""
    made: list[str] = []
    failures: list[str] = []

    def record(request_type: str, name: str, response: Any, exception: Any, **_: Any) -> None:
        made.append(f"{request_type} {name} {getattr(response, 'status_code', '-')}")
        if exception:
            failures.append(f"{request_type} {name}: {exception}")

    for user_class in USER_CLASSES:
        env = Environment(user_classes=[user_class], host=host)
        env.events.request.add_listener(record)
        user_class.host = host  # what the runner does with --host
        user = user_class(env)
        user.wait = lambda: None  # type: ignore[method-assign]
        if isinstance(user, Gp):
            user.asks_specialist = 1.0  # every branch taken once
        if isinstance(user, _Person):
            user.signs_in = 1.0 if isinstance(user, Nurse) else 0.0
        user.on_start()
        for action in dict.fromkeys(user.tasks):  # a task's weight repeats it in the list
            action(user)
    return made, failures


if __name__ == "__main__":
    if sys.argv[1:2] != ["--once"] or len(sys.argv) != 3:
        sys.exit("usage: locustfile.py --once HOST")
    requests, failed = run_each_task_once(sys.argv[2])
    print("\n".join(requests))
    print("\n".join(f"FAILED {line}" for line in failed))
    sys.exit(1 if failed else 0)
