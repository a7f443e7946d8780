"""The unit's forms: registration and triage. Domain rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tbib.clinical.choices import Triage
from tbib.patients.choices import GuardianRelationship, PregnancyStatus, Sex

VITAL_FIELDS = (
    ("systolic_bp", _("Systolic BP"), "mmHg"),
    ("diastolic_bp", _("Diastolic BP"), "mmHg"),
    ("heart_rate", _("Heart rate"), "/min"),
    ("respiratory_rate", _("Respiratory rate"), "/min"),
    ("temperature", _("Temperature"), "°C"),
    ("spo2", _("SpO2"), "%"),
    ("weight", _("Weight"), "kg"),
    ("height", _("Height"), "cm"),
    ("glucose", _("Capillary glucose"), "g/L"),
    ("muac", _("MUAC"), "cm"),
    ("gestational_age", _("Gestational age"), _("weeks")),
    ("fundal_height", _("Fundal height"), "cm"),
)


class PatientForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=80)
    family_name = forms.CharField(label=_("Family name"), max_length=80)
    given_name_ar = forms.CharField(label=_("Given name (Arabic)"), max_length=80, required=False)
    family_name_ar = forms.CharField(label=_("Family name (Arabic)"), max_length=80, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[(Sex.FEMALE, Sex.FEMALE.label), (Sex.MALE, Sex.MALE.label)]
    )
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age_years = forms.IntegerField(
        label=_("or age (years, estimated)"), required=False, min_value=0, max_value=120
    )
    village = forms.CharField(label=_("Village or douar"), max_length=120, required=False)
    cin = forms.CharField(label=_("CIN"), max_length=10, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=24, required=False)
    amo_number = forms.CharField(label=_("AMO number"), max_length=20, required=False)
    pregnancy_status = forms.ChoiceField(
        label=_("Pregnancy"), choices=PregnancyStatus.choices, required=False
    )
    guardian = forms.UUIDField(required=False, widget=forms.HiddenInput)
    guardian_relationship = forms.ChoiceField(
        label=_("Guardian is the child's"),
        choices=[("", "—"), *GuardianRelationship.choices],
        required=False,
    )


class VisitForm(forms.Form):
    triage = forms.TypedChoiceField(
        label=_("Triage"), choices=Triage.choices, coerce=int, initial=Triage.STANDARD
    )
    reason = forms.CharField(label=_("Reason for visit"), max_length=300, required=False)
