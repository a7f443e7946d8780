"""The resource types the interface serves: how each is read, searched, rendered, written."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from tbib.access.scope import (
    AccessContext,
    RecordNotFound,
    fhir_search,
    read_encounter,
    read_encounter_part,
    read_patient,
)
from tbib.accounts.models import User
from tbib.fhir import mapping, reference_mapping, versions
from tbib.fhir.models import ExternalIdentifier
from tbib.fhir.outcome import FhirError
from tbib.fhir.search import date_filter, token
from tbib.network.models import Device, MobileUnit
from tbib.patients.identifiers import IdentifierError, normalise_phone
from tbib.tours.models import Stop


def as_uuid(raw: str, what: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise FhirError(404, f"No resource with {what} {raw[:64]!r}.", "not-found") from error


def reference_id(raw: str, resource_type: str) -> uuid.UUID | None:
    """`Patient/<id>` or `<id>`; None when it cannot name one of ours (matches nothing)."""
    text = raw.rsplit("/", 2)[-1] if raw.startswith(f"{resource_type}/") or "/" in raw else raw
    if "/" in raw and raw.split("/")[-2] != resource_type:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _ids_filter(values: list[str], resource_type: str, field_name: str) -> Q:
    query = Q()
    for raw in values:
        ids = [reference_id(v, resource_type) for v in raw.split(",")]
        query &= Q(**{f"{field_name}__in": [i for i in ids if i is not None]})
    return query


def _date_only(query_field: str, values: list[str]) -> Q:
    """Date search on a DateField: compare with the dates of the range's bounds."""
    from tbib.fhir.search import parse_date

    query = Q()
    for raw in values:
        ors = Q()
        for value in raw.split(","):
            found = parse_date(value)
            start, end = found.start.date(), found.end.date()
            ors |= {
                "eq": Q(**{f"{query_field}__gte": start, f"{query_field}__lt": end}),
                "ge": Q(**{f"{query_field}__gte": start}),
                "gt": Q(**{f"{query_field}__gte": end}),
                "le": Q(**{f"{query_field}__lt": end}),
                "lt": Q(**{f"{query_field}__lt": start}),
            }[found.prefix]
        query &= ors
    return query


def _patient_identifier(raw: str) -> Q:
    ors = Q()
    for value in raw.split(","):
        system, code = token(value)
        if not code:
            continue
        if system == mapping.CIN_SYSTEM:
            ors |= Q(cin=code.upper())
        elif system == mapping.AMO_SYSTEM:
            ors |= Q(amo_number=code)
        elif system == f"{mapping.BASE}/NamingSystem/patient-id":
            ors |= Q(pk__in=[i for i in [reference_id(code, "Patient")] if i])
        else:
            external = ExternalIdentifier.objects.filter(resource_type="Patient", value=code)
            if system:
                external = external.filter(system=system)
            ors |= Q(pk__in=external.values("resource_id"))
            if not system:
                ors |= Q(cin=code.upper()) | Q(amo_number=code)
    return ors if ors else Q(pk__in=[])


def _external(resource_type: str) -> Callable[[list[str]], Q]:
    """identifier=system|value among the identifiers other systems gave these records."""

    def build(raw: str) -> Q:
        ors = Q()
        for value in raw.split(","):
            system, code = token(value)
            found = ExternalIdentifier.objects.filter(resource_type=resource_type, value=code)
            if system:
                found = found.filter(system=system)
            ors |= Q(pk__in=found.values("resource_id"))
        return ors

    return _and(build)


def _name(fields: tuple[str, ...]) -> Callable[[list[str]], Q]:
    def build(values: list[str]) -> Q:
        query = Q()
        for raw in values:
            ors = Q()
            for value in raw.split(","):
                for name_field in fields:
                    ors |= Q(**{f"{name_field}__istartswith": value.strip()})
            query &= ors
        return query

    return build


def _phone(values: list[str]) -> Q:
    query = Q()
    for raw in values:
        try:
            query &= Q(phone=normalise_phone(raw))
        except IdentifierError:
            query &= Q(pk__in=[])
    return query


def _and(build: Callable[[str], Q]) -> Callable[[list[str]], Q]:
    def combined(values: list[str]) -> Q:
        query = Q()
        for raw in values:
            query &= build(raw)
        return query

    return combined


def _token_in(field_name: str, system: str | None = None) -> Callable[[list[str]], Q]:
    def build(raw: str) -> Q:
        codes = []
        for value in raw.split(","):
            given_system, code = token(value)
            if system is None or given_system in (None, system):
                codes.append(code)
        return Q(**{f"{field_name}__in": codes})

    return _and(build)


def _category(values: list[str]) -> Q:
    def build(raw: str) -> Q:
        for value in raw.split(","):
            system, code = token(value)
            if code == "vital-signs" and system in (None, mapping.OBSERVATION_CATEGORY):
                return Q()
        return Q(pk__in=[])

    return _and(build)(values)


_ENCOUNTER_STATUS = {fhir: ours for ours, fhir in mapping.ENCOUNTER_STATUS.items()}


@dataclass
class ResourceType:
    name: str
    params: dict[str, Callable[[list[str]], Q]]
    sorts: dict[str, str]
    read: Callable[[AccessContext, uuid.UUID], Any]
    render_many: Callable[[list[Any]], list[dict[str, Any]]]
    last_updated: str = "updated_at"
    includes: dict[str, str] = field(default_factory=dict)  # "Observation:patient" → field
    # Reference data (the network, its staff and devices), not patient data: any signed-in
    # user reads it, without an audit event. None: patient data, through the scope.
    reference: Callable[[], QuerySet[Any]] | None = None
    interactions: tuple[str, ...] = ("read", "search-type")

    def search(self, ctx: AccessContext, params: dict[str, list[str]]) -> QuerySet[Any]:
        described = ", ".join(sorted(params)) or "all"
        if self.reference is not None:
            query = self.reference()
        else:
            query = fhir_search(ctx, self.name, described)
        for name, values in params.items():
            query = query.filter(self.params[name](values))
        return query


def _render_patients(records: list[Any]) -> list[dict[str, Any]]:
    ids = [r.pk for r in records]
    found = versions.versions_of("Patient", ids)
    extras = versions.extra_identifiers("Patient", ids)
    return [mapping.patient_resource(r, found[r.pk], extras.get(r.pk, [])) for r in records]


def _render_encounters(records: list[Any]) -> list[dict[str, Any]]:
    ids = [r.pk for r in records]
    found = versions.versions_of("Encounter", ids)
    extras = versions.extra_identifiers("Encounter", ids)
    return [mapping.encounter_resource(r, found[r.pk], extras.get(r.pk, [])) for r in records]


def _render_observations(records: list[Any]) -> list[dict[str, Any]]:
    extras = versions.extra_identifiers("Observation", [r.pk for r in records])
    return [mapping.observation_resource(r, extras.get(r.pk, [])) for r in records]


PATIENT = ResourceType(
    name="Patient",
    params={
        "_id": lambda values: _ids_filter(values, "Patient", "pk"),
        "_lastUpdated": lambda values: date_filter("updated_at", values),
        "identifier": _and(_patient_identifier),
        "name": _name(("given_name", "family_name", "given_name_ar", "family_name_ar")),
        "family": _name(("family_name", "family_name_ar")),
        "given": _name(("given_name", "given_name_ar")),
        "birthdate": lambda values: _date_only("birth_date", values),
        "gender": _token_in("sex"),
        "phone": _phone,
        "active": lambda values: Q(merged_into__isnull=values[-1] != "false"),
    },
    sorts={
        "birthdate": "birth_date",
        "family": "family_name",
        "given": "given_name",
        "_lastUpdated": "updated_at",
        "_id": "id",
    },
    read=read_patient,
    render_many=_render_patients,
    interactions=("read", "vread", "history-instance", "search-type", "create", "update"),
)

ENCOUNTER = ResourceType(
    name="Encounter",
    params={
        "_id": lambda values: _ids_filter(values, "Encounter", "pk"),
        "_lastUpdated": lambda values: date_filter("updated_at", values),
        "patient": lambda values: _ids_filter(values, "Patient", "patient_id"),
        "subject": lambda values: _ids_filter(values, "Patient", "patient_id"),
        "date": lambda values: date_filter("arrived_at", values),
        "location": lambda values: _ids_filter(values, "Location", "stop_id"),
        "identifier": _external("Encounter"),
        "status": _and(
            lambda raw: Q(status__in=[_ENCOUNTER_STATUS.get(v, "-") for v in raw.split(",")])
        ),
    },
    sorts={"date": "arrived_at", "_lastUpdated": "updated_at", "_id": "id"},
    read=read_encounter,
    render_many=_render_encounters,
    interactions=("read", "vread", "history-instance", "search-type", "create"),
)

OBSERVATION = ResourceType(
    name="Observation",
    params={
        "_id": lambda values: _ids_filter(values, "Observation", "pk"),
        "_lastUpdated": lambda values: date_filter("updated_at", values),
        "patient": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "subject": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "encounter": lambda values: _ids_filter(values, "Encounter", "encounter_id"),
        "identifier": _external("Observation"),
        "code": _token_in("loinc", mapping.LOINC),
        "date": lambda values: date_filter("effective_at", values),
        "category": _category,
    },
    sorts={"date": "effective_at", "_lastUpdated": "updated_at", "_id": "id"},
    read=lambda ctx, record_id: read_encounter_part(ctx, "Observation", record_id),
    render_many=_render_observations,
    interactions=("read", "search-type", "create"),
    includes={
        "Observation:patient": "encounter__patient",
        "Observation:subject": "encounter__patient",
    },
)


def _reference_read(model: type[Any], related: tuple[str, ...] = ()) -> Callable[..., Any]:
    def read(ctx: AccessContext, record_id: uuid.UUID) -> Any:
        found = model.objects.select_related(*related).filter(pk=record_id).first()
        if found is None:
            raise RecordNotFound(f"No {model.__name__.lower()} with this id.")
        return found

    return read


def _read_practitioner(record_id: uuid.UUID) -> User:
    found = User.objects.filter(pk=record_id, role__in=reference_mapping.CLINICAL_ROLES).first()
    if found is None:
        raise RecordNotFound("No practitioner with this id.")
    return found


def _organizations(records: list[Any]) -> list[dict[str, Any]]:
    return [reference_mapping.organization(r) for r in records]


ORGANIZATION = ResourceType(
    name="Organization",
    params={
        "_id": lambda values: _ids_filter(values, "Organization", "pk"),
        "name": _name(("name",)),
        "identifier": _token_in("code"),
    },
    sorts={"name": "name", "_id": "id"},
    read=_reference_read(MobileUnit, ("province", "regional_hub", "home_commune")),
    render_many=_organizations,
    reference=lambda: MobileUnit.objects.select_related("province", "regional_hub", "home_commune"),
)
LOCATION = ResourceType(
    name="Location",
    params={
        "_id": lambda values: _ids_filter(values, "Location", "pk"),
        "organization": lambda values: _ids_filter(values, "Organization", "unit_id"),
        "name": _name(("commune__name_fr", "village")),
    },
    sorts={"_id": "id", "name": "commune__name_fr"},
    read=_reference_read(Stop, ("commune", "unit")),
    render_many=lambda records: [reference_mapping.location(r) for r in records],
    reference=lambda: Stop.objects.select_related("commune", "unit"),
)
PRACTITIONER = ResourceType(
    name="Practitioner",
    params={
        "_id": lambda values: _ids_filter(values, "Practitioner", "pk"),
        "name": _name(("first_name", "last_name")),
        "identifier": _token_in("username"),
    },
    sorts={"_id": "id", "name": "last_name"},
    read=lambda ctx, record_id: _read_practitioner(record_id),
    render_many=lambda records: [reference_mapping.practitioner(r) for r in records],
    reference=lambda: User.objects.filter(role__in=reference_mapping.CLINICAL_ROLES),
)
DEVICE = ResourceType(
    name="Device",
    params={
        "_id": lambda values: _ids_filter(values, "Device", "pk"),
        "organization": lambda values: _ids_filter(values, "Organization", "unit_id"),
        "identifier": _token_in("serial"),
    },
    sorts={"_id": "id"},
    read=_reference_read(Device),
    render_many=lambda records: [reference_mapping.device(r) for r in records],
    reference=lambda: Device.objects.all(),
)
CONDITION = ResourceType(
    name="Condition",
    params={
        "_id": lambda values: _ids_filter(values, "Condition", "pk"),
        "patient": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "subject": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "encounter": lambda values: _ids_filter(values, "Encounter", "encounter_id"),
        "code": _token_in("code", reference_mapping.ICD10),
        "recorded-date": lambda values: date_filter("created_at", values),
    },
    sorts={"_id": "id", "recorded-date": "created_at"},
    read=lambda ctx, record_id: read_encounter_part(ctx, "Condition", record_id),
    render_many=lambda records: [reference_mapping.condition(r) for r in records],
)

MEDICATION_REQUEST = ResourceType(
    name="MedicationRequest",
    params={
        "_id": lambda values: _ids_filter(values, "MedicationRequest", "pk"),
        "patient": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "subject": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "encounter": lambda values: _ids_filter(values, "Encounter", "encounter_id"),
        "code": _token_in("medicine__atc", reference_mapping.ATC),
        "authoredon": lambda values: date_filter("created_at", values),
    },
    sorts={"_id": "id", "authoredon": "created_at"},
    read=lambda ctx, record_id: read_encounter_part(ctx, "MedicationRequest", record_id),
    render_many=lambda records: [reference_mapping.medication_request(r) for r in records],
)
SERVICE_REQUEST = ResourceType(
    name="ServiceRequest",
    params={
        "_id": lambda values: _ids_filter(values, "ServiceRequest", "pk"),
        "patient": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "subject": lambda values: _ids_filter(values, "Patient", "encounter__patient_id"),
        "encounter": lambda values: _ids_filter(values, "Encounter", "encounter_id"),
        "authored": lambda values: date_filter("created_at", values),
    },
    sorts={"_id": "id", "authored": "created_at"},
    read=lambda ctx, record_id: read_encounter_part(ctx, "ServiceRequest", record_id),
    render_many=lambda records: [reference_mapping.service_request(r) for r in records],
)

TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        MEDICATION_REQUEST,
        SERVICE_REQUEST,
        PATIENT,
        ENCOUNTER,
        OBSERVATION,
        CONDITION,
        ORGANIZATION,
        LOCATION,
        PRACTITIONER,
        DEVICE,
    )
}
