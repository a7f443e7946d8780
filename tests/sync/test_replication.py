"""An edge and the hub as real processes: enrolment, offline work, sync, merge, convergence."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.sync.nodes import EDGE_KEY, Node, free_port, hub_from, issue_code, wait_for_http

pytestmark = pytest.mark.link

UNIT = "midelt-1"


def _serve(hub: Node, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603
        hub.serve_command("127.0.0.1", port), env=hub.env(), cwd=hub.home,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_http(f"http://127.0.0.1:{port}")
    return server


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.kill()
    server.wait()


def _case_status(node: Node, case_id: str) -> str:
    code = "from tbib.teleexpertise.models import Case\n"
    code += f"print(Case.objects.get(pk='{case_id}').status)"
    return node.python(code).strip()


STOLEN = """
import hashlib, json
from fpdf import FPDF
from tbib.access.scope import AccessContext
from tbib.accounts.models import User
from tbib.patients.models import Patient
from tbib.teleexpertise.models import Case
from tbib.teleexpertise.services import append_chunk, start_upload
case = Case.objects.latest("created_at")
patient = case.patient
letter = FPDF()
letter.set_compression(False)
letter.add_page()
letter.set_font("helvetica", size=12)
letter.cell(text=f"Lettre de liaison : {patient.given_name} {patient.family_name}")
data = bytes(letter.output())
assert patient.family_name.encode() in data  # the letter names the patient, in clear
gp = AccessContext(user=User.objects.get(username=f"gp-{case.unit.code}"))
upload = start_upload(ctx=gp, case_id=case.pk, filename="lettre.pdf", size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), kind="document")
append_chunk(ctx=gp, upload_id=upload.pk, offset=0, data=data)
names = set()
for p in Patient.objects.all():
    names |= {p.given_name, p.family_name, p.given_name_ar, p.family_name_ar}
print(json.dumps(sorted(n for n in names if len(n) >= 4)))
"""


def _a_stolen_laptop_reveals_no_patient_name(edge: Node) -> None:
    """The edge's database and media folder, read without the key, name no patient."""
    names = json.loads(edge.python(STOLEN).strip().splitlines()[-1])
    assert len(names) > 20
    files = [p for p in edge.home.rglob("*") if p.is_file() and p.name != "demo-secret-key"]
    assert any("media" in p.parts for p in files)
    raw = b"".join(p.read_bytes() for p in files)
    for name in names:
        assert name.encode() not in raw, name
    assert b"Lettre de liaison" not in raw
    for path in files:  # no readable photo or document either
        assert not path.read_bytes().startswith((b"%PDF", b"\xff\xd8\xff")), path


def test_an_edge_enrols_works_offline_and_converges_with_the_hub(
    hub_template: Path, tmp_path: Path
) -> None:
    hub = hub_from(hub_template, tmp_path / "hub")
    edge = Node("edge", tmp_path / "edge")
    edge.home.mkdir()
    port = free_port()
    server = _serve(hub, port)
    try:
        # A code is single use: the second enrolment with it is refused.
        code = issue_code(hub, UNIT)
        enrolled = edge.run("edge", "enrol", "--hub", f"http://127.0.0.1:{port}", "--code", code)
        assert "Enrolled as midelt-1." in enrolled.stdout
        again = Node("edge", tmp_path / "edge2")
        again.home.mkdir()
        refused = again.run("edge", "enrol", "--hub", f"http://127.0.0.1:{port}", "--code", code,
                            check=False)  # fmt: skip
        assert refused.returncode != 0 and "unknown, used or expired" in refused.stderr
        assert edge.digest(UNIT) == hub.digest(UNIT)
        # Scoped pull: the edge holds its unit's patients and no other unit's.
        others = edge.python(
            "from tbib.patients.models import Patient\n"
            f"print(Patient.objects.exclude(unit__code='{UNIT}').count())"
        )
        assert others.strip() == "0"
    finally:
        _stop(server)

    # The hub is down: the unit works on, and a sync round says it could not finish.
    day = json.loads(edge.python(
        "from tests.sync.unit_day import record_day\nimport json\n"
        f"print(json.dumps(record_day('{UNIT}', patients=6, cases=1, photos_per_case=1, seed=5)))"
    ))  # fmt: skip
    assert day["patients"] == 6
    _a_stolen_laptop_reveals_no_patient_name(edge)
    offline = edge.run("sync", "run", "--once", check=False)
    assert offline.returncode == 1 and "sync incomplete" in offline.stderr

    server = _serve(hub, port)
    try:
        assert edge.run("sync", "run", "--once").returncode == 0
        assert edge.digest(UNIT) == hub.digest(UNIT)
        case_id = edge.python(
            "from tbib.teleexpertise.models import Case\n"
            "print(Case.objects.filter(status='queued').latest('created_at').pk)"
        ).strip()
        # The photo's and the letter's bytes reached the hub, intact.
        assert (
            hub.python(
                "from tbib.teleexpertise import storage\n"
                "from tbib.teleexpertise.models import Attachment\n"
                f"files = Attachment.objects.filter(case_id='{case_id}')\n"
                "print([storage.digest(storage.stored_path(a.sha256)) == a.sha256 for a in files])"
            ).strip()
            == "[True, True]"
        )

        # The specialist answers at the hub while the van, offline, cancels the same case.
        hub.python(
            "from tbib.access.scope import AccessContext\n"
            "from tbib.accounts.models import User\n"
            "from tbib.teleexpertise.services import answer_case, claim_case\n"
            "ctx = AccessContext(user=User.objects.get(username='dr-dermatology'))\n"
            f"claim_case(ctx=ctx, case_id='{case_id}')\n"
            f"answer_case(ctx=ctx, case_id='{case_id}', advice='Dermocorticoïde 2 semaines.',"
            " diagnoses=['L30.9'])"
        )
        edge.python(
            "from tbib.access.scope import AccessContext\n"
            "from tbib.accounts.models import User\n"
            "from tbib.teleexpertise.services import cancel_case\n"
            f"ctx = AccessContext(user=User.objects.get(username='gp-{UNIT}'))\n"
            f"cancel_case(ctx=ctx, case_id='{case_id}', reason='Patient parti')"
        )
        assert edge.run("sync", "run", "--once").returncode == 0
        # "answered" moved the case further than the stale cancellation: it wins everywhere.
        assert _case_status(edge, case_id) == "answered"
        assert _case_status(hub, case_id) == "answered"
        assert edge.digest(UNIT) == hub.digest(UNIT)
        answers = edge.python(
            "from tbib.teleexpertise.models import Answer\n"
            f"print(Answer.objects.filter(case_id='{case_id}').count())"
        )
        assert answers.strip() == "1"

        # A patient of another unit walks in: found at the hub by CIN, with their history.
        cin, history = hub.python(
            "from tbib.patients.models import Patient\n"
            f"p = Patient.objects.exclude(unit__code='{UNIT}').filter(cin__isnull=False,"
            " encounters__isnull=False).first()\n"
            "print(p.cin, p.encounters.count())"
        ).split()
        found = edge.python(
            "from tbib.access.scope import AccessContext, lookup_patient_by_cin\n"
            "from tbib.accounts.models import User\n"
            f"ctx = AccessContext(user=User.objects.get(username='nurse1-{UNIT}'))\n"
            f"p = lookup_patient_by_cin(ctx, '{cin}')\n"
            "print(p.unit.code != 'midelt-1', p.encounters.count())"
        ).split()
        assert found == ["True", history]

        # Demographics edited on both sides merge field by field; nothing is lost.
        patient_id = edge.python(
            "from tbib.patients.models import Patient\n"
            f"print(Patient.objects.filter(unit__code='{UNIT}').latest('created_at').pk)"
        ).strip()
        edit = "from tbib.patients.models import Patient\np = Patient.objects.get(pk='{}')\n"
        edge.python(edit.format(patient_id) + "p.village = 'Tamalout'\np.save()")
        hub.python(edit.format(patient_id) + "p.phone = '+212661234567'\np.save()")
        assert edge.run("sync", "run", "--once").returncode == 0
        both = "print(p.village, p.phone)"
        assert edge.python(edit.format(patient_id) + both).split() == ["Tamalout", "+212661234567"]
        assert hub.python(edit.format(patient_id) + both).split() == ["Tamalout", "+212661234567"]
        assert edge.digest(UNIT) == hub.digest(UNIT)
    finally:
        _stop(server)


class _Browser:
    """Just enough of a browser: cookies, and the CSRF token of the last form."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        import urllib.error

        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, page: str, path: str, fields: dict[str, str]) -> tuple[int, str]:
        import re
        import urllib.error
        import urllib.parse

        _status, html = self.get(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, html[:500]
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "") or error.read().decode()


class _NoRedirect(__import__("urllib.request").request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_a_locked_edge_opens_at_a_team_members_sign_in(hub_template: Path, tmp_path: Path) -> None:
    hub = hub_from(hub_template, tmp_path / "hub")
    edge = Node("edge", tmp_path / "edge")
    edge.home.mkdir()
    port = free_port()
    server = _serve(hub, port)
    try:
        code = issue_code(hub, UNIT)
        edge.run("edge", "enrol", "--hub", f"http://127.0.0.1:{port}", "--code", code)
    finally:
        _stop(server)
    # First sign-in on the open edge (key from the environment) writes the GP's key slot.
    edge_port = free_port()
    opened = _serve(edge, edge_port)
    try:
        browser = _Browser(f"http://127.0.0.1:{edge_port}")
        fields = {"username": f"gp-{UNIT}", "password": "tbib-demo"}
        assert browser.post_form("/accounts/login/", "/accounts/login/", fields)[0] == 302
    finally:
        _stop(opened)
    slots = (edge.home / "edge-keys.json").read_text()
    assert f"gp-{UNIT}" in slots and EDGE_KEY not in slots

    # Restarted without the key: locked; only the team's passwords open it.
    locked = Node("edge", edge.home, keyless=True)
    server = _serve(locked, edge_port)
    try:
        browser = _Browser(f"http://127.0.0.1:{edge_port}")
        status, page = browser.get("/unit/")
        assert status == 200 and 'action="/unlock"' in page
        wrong = browser.post_form("/unit/", "/unlock", {**fields, "password": "guess"})
        assert wrong[0] == 403
        assert browser.post_form("/unit/", "/unlock", fields) == (302, "/unit/")
        status, page = browser.get("/unit/")
        assert status == 200 and "Imilchil" in page  # the unit's day, read from the database
    finally:
        _stop(server)
