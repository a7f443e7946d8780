"""Bytes on the wire for the structured part of a unit day, against two yardsticks.

Run: .venv/bin/python benchmarks/sync_bytes.py

A hub (the demo network) and an edge run as real processes; the edge records a unit day
(60 patients, 60 signed encounters, 900 observations, 10 tele-expertise cases; photos left
out: this is the structured part) and one `tbib sync run --once` sends it. Every byte of
every TCP connection between them (HTTP headers included) is counted by a relay in between.

Yardsticks, computed from exactly the records the day wrote on the edge:
- zstd_canonical_bytes: the records as canonical JSON (sorted keys, no spaces, one object per
  record), compressed with zstd at the wire's level;
- fhir_json_bytes: the same data as uncompressed FHIR R4 JSON transaction bundles (Patient,
  Encounter, Observation, Condition, MedicationRequest, ServiceRequest, Task, Communication,
  AuditEvent, Location for the stop), one bundle per 500 resources as a sync batch would be.
Last line: one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sync.nodes import (  # noqa: E402
    Node,
    build_hub_template,
    free_port,
    issue_code,
    wait_for_http,
)

UNIT = "midelt-1"


class CountingRelay:
    """A TCP relay that counts the bytes it carries, both ways."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.count = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.server.accept()
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                with self.lock:
                    self.count += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


YARDSTICKS = r"""
import json, uuid, zstandard
from django.apps import apps
from tbib.sync import wire
from tbib.sync.capture import node_name
from tbib.sync.models import Change

def plain(value):
    if isinstance(value, bytes) and len(value) == 16:
        return str(uuid.UUID(bytes=value))
    return value

records = []
for change in Change.objects.filter(origin=node_name(), pushed=False).order_by("seq"):
    record = apps.get_model(change.model)._default_manager.get(pk=change.record_id)
    row = {k: plain(v) for k, v in wire.row_of(record).items()}
    records.append((change.model, row))
canonical = "\n".join(json.dumps({"type": m, **r}, sort_keys=True, separators=(",", ":"),
                                 ensure_ascii=False) for m, r in records).encode()
zstd_canonical = len(zstandard.ZstdCompressor(level=wire.ZSTD_LEVEL).compress(canonical))

def ref(kind, id_):
    return {"reference": f"{kind}/{id_}"} if id_ else None

def quantity(row):
    return {"value": float(row["value"]), "unit": row["unit"],
            "system": "http://unitsofmeasure.org", "code": row["unit"]}

def fhir(model, r):
    meta = {"lastUpdated": r.get("updated_at") or r.get("at")}
    if model == "patients.patient":
        return {"resourceType": "Patient", "id": r["id"], "meta": meta,
                "identifier": [{"system": "urn:tbib:cin", "value": r["cin"]}] if r["cin"] else [],
                "name": [{"use": "official", "family": r["family_name"],
                          "given": [r["given_name"]]},
                         {"use": "official", "family": r["family_name_ar"],
                          "given": [r["given_name_ar"]],
                          "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/language",
                                         "valueCode": "ar"}]}],
                "gender": {"F": "female", "M": "male"}.get(r["sex"], "unknown"),
                "birthDate": r["birth_date"],
                "telecom": [{"system": "phone", "value": r["phone"]}] if r["phone"] else [],
                "address": [{"district": r["commune_id"], "city": r["village"], "country": "MA"}],
                "managingOrganization": ref("Organization", r["unit_id"])}
    if model == "clinical.encounter":
        return {"resourceType": "Encounter", "id": r["id"], "meta": meta,
                "status": "finished" if r["status"] == "signed" else "in-progress",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "AMB", "display": "ambulatory"},
                "priority": {"coding": [{"system": "urn:tbib:triage", "code": str(r["triage"])}]},
                "subject": ref("Patient", r["patient_id"]),
                "participant": [{"individual": ref("Practitioner", r["created_by_id"])}],
                "period": {"start": r["arrived_at"], "end": r["signed_at"]},
                "reasonCode": [{"text": r["reason"]}],
                "location": [{"location": ref("Location", r["stop_id"])}],
                "serviceProvider": ref("Organization", r["unit_id"]),
                "extension": [{"url": "urn:tbib:history", "valueString": r["history"]},
                              {"url": "urn:tbib:examination", "valueString": r["examination"]}]}
    if model == "clinical.observation":
        return {"resourceType": "Observation", "id": r["id"], "meta": meta, "status": "final",
                "category": [{"coding": [{"system":
                    "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs", "display": "Vital Signs"}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": r["loinc"]}]},
                "encounter": ref("Encounter", r["encounter_id"]),
                "effectiveDateTime": r["effective_at"], "valueQuantity": quantity(r)}
    if model == "clinical.diagnosis":
        return {"resourceType": "Condition", "id": r["id"], "meta": meta,
                "clinicalStatus": {"coding": [{"system":
                    "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10",
                                     "code": r["code"], "display": r["label"]}]},
                "encounter": ref("Encounter", r["encounter_id"]),
                "recordedDate": r["created_at"]}
    if model == "clinical.prescriptionline":
        return {"resourceType": "MedicationRequest", "id": r["id"], "meta": meta,
                "status": "active", "intent": "order",
                "medicationCodeableConcept": {"coding": [{"system": "urn:tbib:medicine",
                                                          "code": r["medicine_id"]}]},
                "encounter": ref("Encounter", r["encounter_id"]),
                "dosageInstruction": [{"text": r["dosage"]}],
                "dispenseRequest": {"quantity": {"value": r["quantity"]}}}
    if model == "teleexpertise.case":
        return {"resourceType": "ServiceRequest", "id": r["id"], "meta": meta,
                "status": "active", "intent": "order", "priority": r["urgency"],
                "category": [{"coding": [{"system": "urn:tbib:specialty",
                                          "code": r["specialty_id"]}]}],
                "subject": ref("Patient", r["patient_id"]),
                "encounter": ref("Encounter", r["encounter_id"]),
                "requester": ref("Practitioner", r["created_by_id"]),
                "note": [{"text": r["question"]}], "authoredOn": r["created_at"],
                "supportingInfo": [{"display": json.dumps(r["vitals"], ensure_ascii=False)}]}
    if model == "teleexpertise.caseevent":
        return {"resourceType": "Task", "id": r["id"], "meta": meta, "status": "in-progress",
                "intent": "order", "businessStatus": {"text": r["to_status"]},
                "focus": ref("ServiceRequest", r["case_id"]),
                "owner": ref("Practitioner", r["actor_id"]),
                "authoredOn": r["created_at"], "note": [{"text": r["note"] or r["action"]}]}
    if model == "teleexpertise.answer":
        return {"resourceType": "Communication", "id": r["id"], "meta": meta,
                "status": "completed", "basedOn": [ref("ServiceRequest", r["case_id"])],
                "sender": ref("Practitioner", r["author_id"]), "sent": r["created_at"],
                "payload": [{"contentString": json.dumps(r, ensure_ascii=False, default=str)}]}
    if model == "tours.stop":
        return {"resourceType": "Location", "id": r["id"], "meta": meta, "status": "active",
                "mode": "instance", "name": r["village"] or r["commune_id"],
                "managingOrganization": ref("Organization", r["unit_id"]),
                "extension": [{"url": "urn:tbib:stop", "valueString": json.dumps(r,
                               ensure_ascii=False, default=str)}]}
    if model == "access.auditevent":
        return {"resourceType": "AuditEvent", "id": r["id"], "meta": meta,
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                         "code": "rest"},
                "action": {"create": "C", "read": "R", "update": "U"}.get(r["action"], "E"),
                "recorded": r["at"], "outcome": "0" if r["outcome"] == "allowed" else "4",
                "outcomeDesc": r["detail"],
                "agent": [{"who": ref("Practitioner", r["actor_id"]),
                           "name": r["actor_username"], "requestor": True,
                           "role": [{"text": r["actor_role"]}]}],
                "source": {"observer": {"display": "tbib edge"}},
                "entity": [{"what": {"reference": f"{r['resource_type']}/{r['resource_id']}"}}]}
    raise ValueError(model)

resources = [fhir(m, r) for m, r in records]
fhir_bytes = 0
for start in range(0, len(resources), 500):
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": f"urn:uuid:{res['id']}", "resource": res,
         "request": {"method": "PUT", "url": f"{res['resourceType']}/{res['id']}"}}
        for res in resources[start:start + 500]]}
    fhir_bytes += len(json.dumps(bundle, ensure_ascii=False).encode())
kinds = {}
for m, _ in records:
    kinds[m] = kinds.get(m, 0) + 1
print(json.dumps({"records": len(records), "kinds": kinds, "canonical_bytes": len(canonical),
                  "zstd_canonical_bytes": zstd_canonical, "fhir_json_bytes": fhir_bytes}))
"""


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="tbib-sync-bytes-"))
    hub = Node("hub", build_hub_template(home / "hub"))
    edge = Node("edge", home / "edge")
    edge.home.mkdir()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        hub.serve_command("127.0.0.1", port), env=hub.env(), cwd=hub.home,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}")
        relay = CountingRelay(port)
        edge.run("edge", "enrol", "--hub", f"http://127.0.0.1:{relay.port}",
                 "--code", issue_code(hub, UNIT))  # fmt: skip
        day = json.loads(edge.python(
            "import json\nfrom tests.sync.unit_day import record_day\n"
            f"print(json.dumps(record_day('{UNIT}', patients=60, cases=10, photos_per_case=0,"
            " seed=2026)))"
        ))  # fmt: skip
        yardsticks = json.loads(edge.python(YARDSTICKS).strip().splitlines()[-1])
        relay.count = 0
        sync = edge.run("sync", "run", "--once")
        wire_bytes = relay.count
        report = json.loads(sync.stdout.strip().splitlines()[-1])
    finally:
        server.kill()
        server.wait()
    figures = {
        "day": day,
        "records": yardsticks["records"],
        "kinds": yardsticks["kinds"],
        "wire_bytes": wire_bytes,
        "wire_body_bytes": report["wire_bytes"],
        "canonical_json_bytes": yardsticks["canonical_bytes"],
        "zstd_canonical_bytes": yardsticks["zstd_canonical_bytes"],
        "fhir_json_bytes": yardsticks["fhir_json_bytes"],
        "wire_over_zstd_canonical": round(wire_bytes / yardsticks["zstd_canonical_bytes"], 3),
        "wire_over_fhir_json": round(wire_bytes / yardsticks["fhir_json_bytes"], 4),
    }
    print(
        f"{yardsticks['records']} records; on the wire {wire_bytes} B "
        f"({figures['wire_over_zstd_canonical']} × zstd canonical JSON, "
        f"{figures['wire_over_fhir_json']:.1%} of FHIR JSON bundles)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
