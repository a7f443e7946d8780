"""A tele-expertise case: the GP's question about a patient, the specialist's answer, files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.clinical.models import Encounter
from tbib.core.models import TimestampedModel
from tbib.network.models import MobileUnit, Specialty
from tbib.patients.models import Patient
from tbib.sync.querysets import LoggedManager
from tbib.teleexpertise.choices import AttachmentKind, CaseStatus, Urgency


class Case(TimestampedModel):
    """A request from a unit's GP to one specialty of the central platform, about one encounter."""

    objects = LoggedManager()

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="cases")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="cases")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="cases")
    question = models.TextField(_("clinical question"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    # Transitions so far: replication's case-aware merge (sync.merge.merge_case) lets the case
    # that moved further win, so a stale "queued" never replaces "answered".
    status_version = models.PositiveIntegerField(default=0, editable=False)
    # Queue order: urgency rank (0 = emergency), then time in the queue.
    urgency_rank = models.PositiveSmallIntegerField(editable=False)
    consent_at = models.DateTimeField(_("consent to tele-expertise recorded at"), null=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    # The encounter's measurements when the case was written, as the specialist will read them.
    vitals = models.JSONField(_("vital signs"), default=list)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True, db_index=True)
    claimed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # 0: none; 1: the specialty's on-call specialist alerted; 2: the national coordinator.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["urgency_rank", "queued_at"]
        verbose_name = _("tele-expertise case")
        verbose_name_plural = _("tele-expertise cases")
        indexes = [models.Index(fields=["specialty", "status", "urgency_rank", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.specialty_id} {self.urgency} {self.status} ({self.patient_id})"


class CaseEvent(TimestampedModel):
    """One transition of a case: who moved it from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class Answer(TimestampedModel):
    """The specialist's answer, or request for more information, and the unit's reading of it."""

    objects = LoggedManager()

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="answers")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    is_request_for_information = models.BooleanField(default=False)
    advice = models.TextField(_("advice"))
    # ICD-10 codes (validated, dotted) and prescription lines {medicine, quantity, dosage}.
    diagnoses = models.JSONField(default=list, blank=True)
    prescriptions = models.JSONField(default=list, blank=True)
    referral = models.CharField(_("referral"), max_length=500, blank=True)
    # An answer may be "let us talk": a live session at this time (teleexpertise/live).
    live_session_at = models.DateTimeField(_("live session planned at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"answer to {self.case_id}"


class Attachment(TimestampedModel):
    """A file of a case, stored once by its SHA-256 (content-addressed) under MEDIA_ROOT/cas/."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    filename = models.CharField(max_length=200)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sha256"], name="one_copy_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class Upload(TimestampedModel):
    """A resumable upload in progress: what was announced and how many bytes have arrived."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="uploads")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=40, blank=True)
    received = models.PositiveIntegerField(default=0)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.filename} {self.received}/{self.size}"


class LiveSession(TimestampedModel):
    """A live video consultation about a case: when, who; never what was said (not recorded)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="live_sessions")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    participants = models.JSONField(_("participants"), default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"live {self.case_id} {self.started_at:%Y-%m-%d %H:%M}"
