"""The hub's side of replication: enrolment codes, edge credentials, and online lookups."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from tbib.access.scope import AccessContext, lookup_patient_by_cin
from tbib.accounts.models import User
from tbib.network.models import MobileUnit
from tbib.sync import wire
from tbib.sync.apply import _rows
from tbib.sync.capture import clock
from tbib.sync.models import Change, EnrolmentCode, Peer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a phone
CODE_VALIDITY = datetime.timedelta(hours=24)


class EnrolmentRefused(PermissionError):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_code(unit: MobileUnit, *, validity: datetime.timedelta = CODE_VALIDITY) -> str:
    """A one-time code for the unit's edge, shown once; only its hash is kept."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    EnrolmentCode.objects.create(
        code_hash=_hash(raw), unit=unit, expires_at=timezone.now() + validity
    )
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def enrol(code: str) -> tuple[Peer, str]:
    """Consume a code: the unit's edge gets a node name and a credential (shown once)."""
    normalised = code.replace("-", "").replace(" ", "").upper()
    with transaction.atomic():
        found = (
            EnrolmentCode.objects.select_for_update()
            .select_related("unit")
            .filter(code_hash=_hash(normalised))
            .first()
        )
        if found is None or found.used_at is not None or found.expires_at < timezone.now():
            raise EnrolmentRefused("This enrolment code is unknown, used or expired.")
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
        token = f"tbn_{secrets.token_urlsafe(32)}"
        # A new laptop for the unit is a new node: its clock and log start afresh.
        node = f"{found.unit.code}.{secrets.token_hex(2)}"
        peer = Peer.objects.create(node=node, unit=found.unit, token_hash=_hash(token))
    return peer, token


def peer_for(token: str) -> Peer | None:
    return Peer.objects.select_related("unit").filter(token_hash=_hash(token)).first()


def lookup(peer: Peer, username: str, cin: str) -> bytes:
    """A patient of another unit, found by CIN for a user of the peer's unit: the patient and
    their clinical history as a batch (the lookup is audited by the scoped-access layer)."""
    from tbib.clinical.models import Encounter, ReferralCompletion

    user = User.objects.filter(username=username, unit=peer.unit, is_active=True).first()
    if user is None:
        raise EnrolmentRefused(f"{username!r} is not a member of {peer.unit.code}'s team.")
    patient = lookup_patient_by_cin(AccessContext(user=user), cin)
    visits = Encounter.objects.filter(patient=patient)
    encounters = list(visits.values_list("pk", flat=True))
    stops = list(visits.values_list("stop_id", flat=True).distinct())
    wanted: list[tuple[str, list[Any]]] = [("patients.patient", [patient.pk]),
                                           ("tours.stop", stops),
                                           ("clinical.encounter", encounters)]  # fmt: skip
    from django.apps import apps

    for name in ("clinical.observation", "clinical.diagnosis", "clinical.prescriptionline",
                 "clinical.referral"):  # fmt: skip
        model = apps.get_model(name)
        ids = model._default_manager.filter(encounter_id__in=encounters).values_list(
            "pk", flat=True
        )
        wanted.append((name, list(ids)))
    completions = ReferralCompletion.objects.filter(referral__encounter_id__in=encounters)
    wanted.append(("clinical.referralcompletion", list(completions.values_list("pk", flat=True))))
    changes: list[Change] = []
    for name, ids in wanted:
        logged = {c.record_id: c for c in Change.objects.filter(model=name, record_id__in=ids)}
        now = clock().tick().encode()
        changes += [logged.get(i) or Change(model=name, record_id=i, hlc=now) for i in ids]
    return wire.encode({"batch": uuid.uuid4().bytes, "origin": "hub", "upto": 0,
                        "changes": _rows(changes)})  # fmt: skip
