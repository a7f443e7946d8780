"""The resource types the interface serves: how each is read, searched, rendered, written."""

from __future__ import annotations

import functools
import heapq
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from tbib.access.scope import (
    AccessContext,
    RecordNotFound,
    fhir_search,
    fhir_search_tables,
    read_audit_event,
    read_encounter,
    read_encounter_part,
    read_fhir_record,
    read_patient,
    search_audit_trail,
)
from tbib.accounts.models import User
from tbib.clinical.models import IssuedDocument, Referral
from tbib.fhir import case_mapping, mapping, reference_mapping, versions
from tbib.fhir.models import ExternalIdentifier
from tbib.fhir.outcome import FhirError
from tbib.fhir.search import date_filter, token
from tbib.network.models import Device, Hub, MobileUnit, TelemedicinePlatform
from tbib.patients.identifiers import IdentifierError, normalise_phone
from tbib.teleexpertise.models import Answer, Attachment, Case, LiveSession
from tbib.tours.models import Stop

# What every served type answers: its past versions are kept (fhir.snapshots) or, for facts
# that never change, its one version is its history.
READ_ONLY = ("read", "vread", "history-instance", "search-type")


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


@dataclass(frozen=True)
class Table:
    """One table behind a resource type served from tables of its own (ServiceRequest: the
    referrals and the tele-expertise cases; Organization: units, hubs and the platform).

    Each table has its own search parameters; a parameter a table lacks matches none of its
    rows (`requester` finds cases, never referrals). `aliases` name the table's field for a
    sort shared by the type (Appointment's `date`: a planned or a started time).
    """

    model: type[Any]
    params: dict[str, Callable[[list[str]], Q]]
    render_many: Callable[[list[Any]], list[dict[str, Any]]]
    # Patient data: the scope layer's name of the table (access.scope._fhir_tables).
    scope: str = ""
    # Reference data: all its rows.
    reference: Callable[[], QuerySet[Any]] | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.aliases.get(name, name)


class Merged:
    """The rows of several tables as one search result, counted, ordered and paged like one
    queryset. A page is the merge of each table's first rows in the database's own order, so
    consecutive pages neither repeat nor skip a row; page n reads n pages of each table, which
    the few thousand cases and referrals of a year afford."""

    def __init__(
        self, parts: list[tuple[Table, QuerySet[Any]]], order: tuple[str, ...] = ()
    ) -> None:
        self.parts = parts
        self.order = order

    def order_by(self, *fields: str) -> Merged:
        return Merged(self.parts, fields)

    def count(self) -> int:
        return sum(query.count() for _, query in self.parts)

    def __iter__(self) -> Iterator[Any]:
        return iter(self[0:None])

    def __getitem__(self, window: slice) -> list[Any]:
        stop = window.stop
        heads = []
        for table, query in self.parts:
            ordered = query.order_by(*(self._in(table, f) for f in self.order))
            heads.append([(table, row) for row in ordered[:stop]])
        merged = heapq.merge(*heads, key=functools.cmp_to_key(self._compare))
        return [row for _, row in itertools.islice(merged, window.start or 0, stop)]

    @staticmethod
    def _in(table: Table, ordering: str) -> str:
        descending = ordering.startswith("-")
        name = table.column(ordering.lstrip("-"))
        return f"-{name}" if descending else name

    def _compare(self, left: tuple[Table, Any], right: tuple[Table, Any]) -> int:
        for ordering in self.order:
            name = ordering.lstrip("-")
            a = getattr(left[1], left[0].column(name))
            b = getattr(right[1], right[0].column(name))
            if a != b:
                result = -1 if a < b else 1
                return -result if ordering.startswith("-") else result
        return 0


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
    interactions: tuple[str, ...] = READ_ONLY
    # Served from tables of its own (see Table); then `params` is empty.
    tables: tuple[Table, ...] = ()
    # Patient data reached through a scope function of its own (the audit trail).
    scoped: Callable[[AccessContext, str], QuerySet[Any]] | None = None

    @property
    def param_names(self) -> set[str]:
        return set(self.params) | {name for table in self.tables for name in table.params}

    def search(self, ctx: AccessContext, params: dict[str, list[str]]) -> QuerySet[Any] | Merged:
        described = ", ".join(sorted(params)) or "all"
        if self.tables:
            return self._search_tables(ctx, params, described)
        if self.reference is not None:
            query = self.reference()
        elif self.scoped is not None:
            query = self.scoped(ctx, described)
        else:
            query = fhir_search(ctx, self.name, described)
        for name, values in params.items():
            query = query.filter(self.params[name](values))
        return query

    def _search_tables(
        self, ctx: AccessContext, params: dict[str, list[str]], described: str
    ) -> Merged:
        if all(table.reference is not None for table in self.tables):
            queries = [table.reference() for table in self.tables if table.reference]
        else:
            scopes = tuple(table.scope for table in self.tables)
            queries = fhir_search_tables(ctx, self.name, scopes, described)
        parts = []
        for table, query in zip(self.tables, queries, strict=True):
            for name, values in params.items():
                build = table.params.get(name)
                query = query.filter(build(values)) if build else query.none()
            parts.append((table, query))
        return Merged(parts)


def _from_tables(
    name: str,
    tables: tuple[Table, ...],
    sorts: dict[str, str],
    interactions: tuple[str, ...] = READ_ONLY,
) -> ResourceType:
    """A type served from several tables (or one, through the scope's table machinery):
    read looks in each (ids are UUIDv7, unique across tables), rendering goes to the row's
    own table. Reference data when its tables are, else patient data through the scope."""
    reference = all(table.reference is not None for table in tables)

    def render_many(records: list[Any]) -> list[dict[str, Any]]:
        # Batched per table (renderers look up related rows once per batch), order kept.
        rendered: dict[int, dict[str, Any]] = {}
        for table in tables:
            mine = [(i, r) for i, r in enumerate(records) if type(r) is table.model]
            for (i, _), resource in zip(mine, table.render_many([r for _, r in mine]), strict=True):
                rendered[i] = resource
        return [rendered[i] for i in range(len(records))]

    def read(ctx: AccessContext, record_id: uuid.UUID) -> Any:
        if not reference:
            return read_fhir_record(ctx, name, tuple(t.scope for t in tables), record_id)
        for table in tables:
            assert table.reference is not None
            found = table.reference().filter(pk=record_id).first()
            if found is not None:
                return found
        raise RecordNotFound(f"No {name.lower()} with this id.")

    return ResourceType(
        name=name,
        params={},
        sorts=sorts,
        read=read,
        render_many=render_many,
        tables=tables,
        interactions=interactions,
    )


def _render_patients(records: list[Any]) -> list[dict[str, Any]]:
    ids = [r.pk for r in records]
    found, extras = versions.versions_and_identifiers("Patient", ids)
    return [mapping.patient_resource(r, found[r.pk], extras.get(r.pk, [])) for r in records]


def _render_encounters(records: list[Any]) -> list[dict[str, Any]]:
    ids = [r.pk for r in records]
    found, extras = versions.versions_and_identifiers("Encounter", ids)
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
    read=lambda ctx, record_id: read_patient(ctx, record_id, places=False),
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
    # update: while not signed, through clinical.services (fhir.writes).
    interactions=(*READ_ONLY, "create", "update"),
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
    interactions=(*READ_ONLY, "create"),
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


def _refs(resource_type: str, field_name: str) -> Callable[[list[str]], Q]:
    """A reference search parameter (`Patient/<id>` or `<id>`) on a foreign key."""
    return lambda values: _ids_filter(values, resource_type, field_name)


def _dates(field_name: str) -> Callable[[list[str]], Q]:
    return lambda values: date_filter(field_name, values)


def _common(patient_field: str, encounter_field: str | None = None) -> dict[str, Any]:
    """The parameters every patient-data table answers: its id, last change and patient."""
    params = {
        "_lastUpdated": _dates("updated_at"),
        "patient": _refs("Patient", patient_field),
        "subject": _refs("Patient", patient_field),
    }
    if encounter_field:
        params["encounter"] = _refs("Encounter", encounter_field)
    return params


def _inverse(ours_to_fhir: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for ours, fhir in ours_to_fhir.items():
        found.setdefault(fhir, []).append(ours)
    return found


def _coded(field_name: str, ours_by_fhir: dict[str, list[str]]) -> Callable[[list[str]], Q]:
    """A token search on a FHIR code standing for one or more of our stored values."""

    def build(raw: str) -> Q:
        wanted = [ours for v in raw.split(",") for ours in ours_by_fhir.get(token(v)[1], [])]
        return Q(**{f"{field_name}__in": wanted})

    return _and(build)


def _fixed(*codings: tuple[str | None, str]) -> Callable[[list[str]], Q]:
    """A token every row of a table carries (its category): all rows or none."""

    def build(raw: str) -> Q:
        for value in raw.split(","):
            system, code = token(value)
            if any(code == c and system in (None, s) for s, c in codings):
                return Q()
        return Q(pk__in=[])

    return _and(build)


def _organizations(records: list[Any]) -> list[dict[str, Any]]:
    return [reference_mapping.organization(r) for r in records]


_BY_NAME = {"name": _name(("name",))}
ORGANIZATION = _from_tables(
    "Organization",
    (
        Table(
            MobileUnit,
            {
                "_id": _refs("Organization", "pk"),
                **_BY_NAME,
                "identifier": _token_in("code"),
                "partof": _refs("Organization", "regional_hub_id"),
            },
            _organizations,
            reference=lambda: MobileUnit.objects.select_related(
                "province", "regional_hub", "home_commune"
            ),
        ),
        Table(
            Hub,
            {"_id": _refs("Organization", "pk"), **_BY_NAME, "identifier": _token_in("code")},
            lambda records: [reference_mapping.hub_organization(r) for r in records],
            reference=lambda: Hub.objects.all(),
        ),
        Table(
            TelemedicinePlatform,
            {
                "_id": _refs("Organization", "pk"),
                **_BY_NAME,
                "partof": _refs("Organization", "hub_id"),
            },
            lambda records: [reference_mapping.platform_organization(r) for r in records],
            reference=lambda: TelemedicinePlatform.objects.select_related("hub"),
        ),
    ),
    sorts={"name": "name", "_id": "id"},
)


def _practitioner_roles(records: list[Any]) -> list[dict[str, Any]]:
    platforms = {
        slug: platform
        for platform in TelemedicinePlatform.objects.prefetch_related("specialties")
        for slug in platform.specialties.values_list("slug", flat=True)
    }
    return [reference_mapping.practitioner_role(r, platforms) for r in records]


def _role_organization(values: list[str]) -> Q:
    """Unit staff by their unit; specialists by the platform that answers in their specialty."""
    query = Q()
    for raw in values:
        ids = [i for i in (reference_id(v, "Organization") for v in raw.split(",")) if i]
        platform_specialties = TelemedicinePlatform.specialties.through.objects.filter(
            telemedicineplatform_id__in=ids
        ).values("specialty_id")
        query &= Q(unit_id__in=ids) | Q(specialty_id__in=platform_specialties)
    return query


_ROLE_CODES = _inverse({str(k): v for k, v in reference_mapping.ROLE_CODES.items()})
PRACTITIONER_ROLE = ResourceType(
    name="PractitionerRole",
    params={
        "_id": _refs("PractitionerRole", "pk"),
        "practitioner": _refs("Practitioner", "pk"),
        "organization": _role_organization,
        "specialty": _token_in("specialty_id"),
        "role": _coded("role", _ROLE_CODES),
        "identifier": _token_in("username"),
        "active": lambda values: Q(is_active=values[-1] != "false"),
    },
    sorts={"_id": "id"},
    read=lambda ctx, record_id: _read_practitioner(record_id),
    render_many=_practitioner_roles,
    reference=lambda: User.objects.filter(role__in=reference_mapping.CLINICAL_ROLES).select_related(
        "specialty"
    ),
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
_REQUEST = reference_mapping.REQUEST_CATEGORY
_SNOMED = reference_mapping.SNOMED
_PRIORITY = _inverse(reference_mapping.SERVICE_PRIORITY)
# A referral's status follows its encounter's (reference_mapping._encounter_status).
_REFERRAL_STATUS = {"completed": ["signed"], "entered-in-error": ["superseded"]}
_REFERRAL_STATUS["active"] = ["waiting", "in-progress"]
_CASE_REQUEST_STATUS = _inverse(case_mapping.CASE_REQUEST_STATUS)

SERVICE_REQUEST = _from_tables(
    "ServiceRequest",
    (
        Table(
            Referral,
            {
                "_id": _refs("ServiceRequest", "pk"),
                **_common("encounter__patient_id", "encounter_id"),
                "authored": _dates("created_at"),
                "category": _fixed((_REQUEST, "referral"), (_SNOMED, "3457005")),
                "status": _coded("encounter__status", _REFERRAL_STATUS),
                "priority": _coded("urgency", _PRIORITY),
            },
            lambda records: [reference_mapping.service_request(r) for r in records],
            scope="Referral",
        ),
        Table(
            Case,
            {
                "_id": _refs("ServiceRequest", "pk"),
                **_common("patient_id", "encounter_id"),
                "authored": _dates("created_at"),
                "category": _fixed((_REQUEST, "tele-expertise")),
                "status": _coded("status", _CASE_REQUEST_STATUS),
                "priority": _coded("urgency", _PRIORITY),
                "requester": _refs("Practitioner", "created_by_id"),
                "performer": _refs("Practitioner", "claimed_by_id"),
                "performer-type": _token_in("specialty_id"),
            },
            lambda records: [case_mapping.case_request(r) for r in records],
            scope="Case",
        ),
    ),
    sorts={"_id": "id", "authored": "created_at", "_lastUpdated": "updated_at"},
)

TASK = _from_tables(
    "Task",
    (
        Table(
            Case,
            {
                "_id": _refs("Task", "pk"),
                **_common("patient_id", "encounter_id"),
                "status": _coded("status", _inverse(case_mapping.CASE_TASK_STATUS)),
                "business-status": _token_in("status", case_mapping.CASE_STATUS_SYSTEM),
                "priority": _coded("urgency", _PRIORITY),
                "owner": _refs("Practitioner", "claimed_by_id"),
                "requester": _refs("Practitioner", "created_by_id"),
                "performer": _token_in("specialty_id"),
                "focus": _refs("ServiceRequest", "pk"),
                "authored-on": _dates("created_at"),
                "modified": _dates("updated_at"),
            },
            lambda records: [case_mapping.case_task(r) for r in records],
            scope="Case",
        ),
    ),
    sorts={"_id": "id", "authored-on": "created_at", "modified": "updated_at"},
    # update: the case's transitions, through teleexpertise.services (fhir.writes).
    interactions=(*READ_ONLY, "update"),
)


_EVENT_STATUS = "http://hl7.org/fhir/event-status"
_MIME_TYPES = "urn:ietf:bcp:13"


def _answer_category(values: list[str]) -> Q:
    kinds = {"advice": False, "request-for-information": True}

    def build(raw: str) -> Q:
        wanted = [kinds[c] for _, c in map(token, raw.split(",")) if c in kinds]
        return Q(is_request_for_information__in=wanted)

    return _and(build)(values)


COMMUNICATION = _from_tables(
    "Communication",
    (
        Table(
            Answer,
            {
                "_id": _refs("Communication", "pk"),
                **_common("case__patient_id", "case__encounter_id"),
                "based-on": _refs("ServiceRequest", "case_id"),
                "category": _answer_category,
                "sender": _refs("Practitioner", "author_id"),
                "recipient": _refs("Organization", "case__unit_id"),
                "sent": _dates("created_at"),
                "received": _dates("acknowledged_at"),
                "status": _fixed((_EVENT_STATUS, "completed")),
            },
            lambda records: [case_mapping.answer_communication(r) for r in records],
            scope="Answer",
        ),
    ),
    sorts={"_id": "id", "sent": "created_at", "_lastUpdated": "updated_at"},
    # An answer to a case, through teleexpertise.services (fhir.writes).
    interactions=(*READ_ONLY, "create"),
)


def _planned_appointments(answers: list[Any]) -> list[dict[str, Any]]:
    """Planned by an answer; fulfilled once a live session of the case started after it (as
    of when that session was recorded)."""
    started: dict[uuid.UUID, list[tuple[Any, Any]]] = {}
    sessions = LiveSession.objects.filter(case_id__in={a.case_id for a in answers})
    for case_id, moment, recorded in sessions.values_list("case_id", "started_at", "created_at"):
        started.setdefault(case_id, []).append((moment, recorded))
    return [
        case_mapping.planned_appointment(
            a,
            min(
                (
                    recorded
                    for moment, recorded in started.get(a.case_id, [])
                    if moment >= a.created_at
                ),
                default=None,
            ),
        )
        for a in answers
    ]


def _held_appointments(sessions: list[Any]) -> list[dict[str, Any]]:
    """Held: who joined is kept by username; they are practitioners of ours."""
    names = {name for s in sessions for name in s.participants}
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    return [
        case_mapping.held_appointment(s, [ids[n] for n in s.participants if n in ids])
        for s in sessions
    ]


_APPOINTMENT_COMMON = {
    "_lastUpdated": _dates("updated_at"),
    "patient": _refs("Patient", "case__patient_id"),
    "based-on": _refs("ServiceRequest", "case_id"),
}
APPOINTMENT = _from_tables(
    "Appointment",
    (
        Table(
            Answer,
            {
                "_id": _refs("Appointment", "pk"),
                **_APPOINTMENT_COMMON,
                "date": _dates("live_session_at"),
                "practitioner": _refs("Practitioner", "author_id"),
            },
            _planned_appointments,
            scope="PlannedLiveSession",
            aliases={"date": "live_session_at"},
        ),
        Table(
            LiveSession,
            {
                "_id": _refs("Appointment", "pk"),
                **_APPOINTMENT_COMMON,
                "date": _dates("started_at"),
            },
            _held_appointments,
            scope="LiveSession",
            aliases={"date": "started_at"},
        ),
    ),
    sorts={"_id": "id", "date": "date", "_lastUpdated": "updated_at"},
)

_DOCUMENT_CATEGORY = case_mapping.DOCUMENT_CATEGORY
_DOCUMENT_KINDS = {code: [kind] for kind, (code, _) in case_mapping.DOCUMENT_LOINC.items()}
DOCUMENT_REFERENCE = _from_tables(
    "DocumentReference",
    (
        Table(
            Attachment,
            {
                "_id": _refs("DocumentReference", "pk"),
                **_common("case__patient_id", "case__encounter_id"),
                "date": _dates("created_at"),
                "category": _fixed((_DOCUMENT_CATEGORY, "tele-expertise")),
                "type": _token_in("kind", case_mapping.ATTACHMENT_KIND),
                "related": _refs("ServiceRequest", "case_id"),
                "contenttype": _token_in("content_type"),
                "identifier": _token_in("sha256"),
            },
            lambda records: [case_mapping.attachment_document(r) for r in records],
            scope="Attachment",
        ),
        Table(
            IssuedDocument,
            {
                "_id": _refs("DocumentReference", "pk"),
                **_common("encounter__patient_id", "encounter_id"),
                "date": _dates("created_at"),
                "category": _fixed((_DOCUMENT_CATEGORY, "issued-document")),
                "type": _coded(
                    "kind",
                    {code: [kind] for kind, (code, _) in case_mapping.DOCUMENT_LOINC.items()},
                ),
                "contenttype": _fixed((_MIME_TYPES, "application/pdf")),
                "identifier": _token_in("number"),
            },
            lambda records: [case_mapping.issued_document(r) for r in records],
            scope="IssuedDocument",
        ),
    ),
    sorts={"_id": "id", "date": "created_at", "_lastUpdated": "updated_at"},
)


def _audit_entity(raw: str) -> Q:
    """`<Type>/<id>` or `<id>`: events about that record; for a patient, about any of their
    records too."""
    ors = Q()
    for value in raw.split(","):
        kind, _, record_id = value.rpartition("/")
        kind = kind.rsplit("/", 1)[-1]  # the type of a full URL
        ors |= Q(resource_id=record_id, resource_type=kind) if kind else Q(resource_id=record_id)
        patient = reference_id(record_id, "Patient") if kind in ("", "Patient") else None
        if patient is not None:
            ors |= Q(patient_id=patient)
    return ors


def _audit_agent(raw: str) -> Q:
    """The acting user, `Practitioner/<id>` or `<id>` (administrators are no practitioners)."""
    ids = [reference_id(v.rsplit("/", 1)[-1], "Practitioner") for v in raw.split(",")]
    return Q(actor_id__in=[i for i in ids if i is not None])


AUDIT_EVENT = ResourceType(
    name="AuditEvent",
    params={
        "_id": _refs("AuditEvent", "pk"),
        "date": _dates("at"),
        "patient": _refs("Patient", "patient_id"),
        "entity": _and(_audit_entity),
        "entity-type": _token_in("resource_type"),
        "agent": _and(_audit_agent),
        "altid": _token_in("actor_username"),
        "action": _coded("action", _inverse(case_mapping.AUDIT_ACTION)),
        "subtype": _token_in("action", case_mapping.AUDIT_ACTION_SYSTEM),
        "outcome": _coded("outcome", _inverse(case_mapping.AUDIT_OUTCOME)),
        "address": _token_in("client_address"),
    },
    sorts={"_id": "id", "date": "at"},
    read=read_audit_event,
    render_many=lambda records: [case_mapping.audit_event(r) for r in records],
    scoped=search_audit_trail,
)

TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        MEDICATION_REQUEST,
        SERVICE_REQUEST,
        TASK,
        COMMUNICATION,
        APPOINTMENT,
        DOCUMENT_REFERENCE,
        AUDIT_EVENT,
        PRACTITIONER_ROLE,
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
