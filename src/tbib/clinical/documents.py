"""The printed documents of a signed encounter: what they say, in the patient's language.

The layout is documents.render's (pure); this module gathers the facts, translates the
labels with Django's i18n, and issues the document number once (clinical.services).
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tbib.access.scope import AccessContext
from tbib.clinical.choices import DocumentKind, ReferralUrgency
from tbib.clinical.codes import MEASURES
from tbib.clinical.forms import VITAL_FIELDS
from tbib.clinical.models import Encounter
from tbib.clinical.services import issue_document
from tbib.documents.render import ClinicalDocument, Section, render_pdf
from tbib.patients.ages import age_text
from tbib.patients.choices import Sex


def _patient_lines(encounter: Encounter, today: datetime.date) -> tuple[str, ...]:
    patient = encounter.patient
    names = [f"{patient.given_name} {patient.family_name}"]
    if patient.given_name_ar or patient.family_name_ar:
        names.append(f"{patient.given_name_ar} {patient.family_name_ar}".strip())
    sex = str(Sex(patient.sex).label) if patient.sex else ""
    lines = [
        " — ".join(names),
        f"{sex}, {age_text(patient.birth_date, patient.birth_date_is_estimated, today)}",
    ]
    if patient.cin:
        lines.append(_("CIN: %(cin)s") % {"cin": patient.cin})
    return tuple(lines)


def _issuer_lines(encounter: Encounter) -> tuple[str, ...]:
    gp = encounter.signed_by
    gp_name = (gp.get_full_name() or gp.username) if gp else ""
    return (
        encounter.unit.name,
        _("Stop: %(place)s, %(date)s")
        % {"place": encounter.stop.place, "date": encounter.stop.date.isoformat()},
        _("Dr %(name)s, general practitioner") % {"name": gp_name},
    )


def _vitals_lines(encounter: Encounter) -> tuple[str, ...]:
    labels = {key: str(label) for key, label, _unit in VITAL_FIELDS}
    labels["bmi"] = _("BMI")
    return tuple(
        f"{labels.get(o.key, MEASURES[o.key].display)}: {o.value.normalize():f} {o.unit}"
        for o in encounter.observations.all()
        if o.key in MEASURES
    )


def _prescription_lines(encounter: Encounter) -> tuple[str, ...]:
    lines = []
    for line in encounter.prescriptions.select_related("medicine"):
        medicine = line.medicine
        text = f"{medicine.name} {medicine.strength} ({medicine.form}) × {line.quantity}"
        text += f" — {line.dosage}"
        if line.duration_days:
            text += " — " + _("%(n)d days") % {"n": line.duration_days}
        lines.append(text)
    return tuple(lines)


def _sections(encounter: Encounter, kind: DocumentKind) -> tuple[Section, ...]:
    diagnoses = tuple(f"{d.code} {d.label}" for d in encounter.diagnoses.all())
    medicines = Section(_("Medicines"), _prescription_lines(encounter))
    if kind == DocumentKind.PRESCRIPTION:
        return (medicines,)
    referrals = tuple(
        f"{r.destination} — {ReferralUrgency(r.urgency).label}: {r.reason}"
        for r in encounter.referrals.select_related("hub", "facility")
    )
    common = [
        Section(_("Reason for visit"), (encounter.reason,) if encounter.reason else ()),
        Section(_("Vital signs"), _vitals_lines(encounter)),
        Section(_("Diagnoses (ICD-10)"), diagnoses),
    ]
    if kind == DocumentKind.REFERRAL:
        return (Section(_("Referred to"), referrals), *common, medicines)
    notes = [
        Section(_("History"), (encounter.history,) if encounter.history else ()),
        Section(_("Examination"), (encounter.examination,) if encounter.examination else ()),
    ]
    follow_up = (encounter.follow_up_date.isoformat(),) if encounter.follow_up_date else ()
    sections = [*common[:1], *notes, *common[1:], medicines, Section(_("Referred to"), referrals)]
    sections.append(Section(_("Follow-up"), follow_up))
    return tuple(section for section in sections if section.lines)


_TITLES = {
    DocumentKind.PRESCRIPTION: "Prescription",
    DocumentKind.REFERRAL: "Referral letter",
    DocumentKind.SUMMARY: "Visit summary",
}


def document_pdf(
    *, ctx: AccessContext, encounter_id: uuid.UUID, kind: DocumentKind, language: str
) -> tuple[str, bytes]:
    """The document's number and PDF; audited as a print of the patient's record."""
    issued = issue_document(ctx=ctx, encounter_id=encounter_id, kind=kind)
    encounter = issued.encounter
    today = timezone.localdate()
    with translation.override(language):
        document = ClinicalDocument(
            title=_(_TITLES[kind]),
            number=issued.number,
            language=language,
            issued_at=timezone.localtime(encounter.signed_at or timezone.now()).strftime(
                "%Y-%m-%d %H:%M"
            ),
            issuer_lines=_issuer_lines(encounter),
            patient_lines=_patient_lines(encounter, today),
            sections=_sections(encounter, kind),
            footer=_(
                "Document no. %(number)s, signed electronically in Tbib. "
                "The QR code carries this number."
            )
            % {"number": issued.number},
            qr_payload=f"TBIB:{issued.number}",
        )
    return issued.number, render_pdf(document)
