"""URL map of a Tbib node."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tbib.accounts.views import verify_otp
from tbib.api import api
from tbib.assist import views as assist_views
from tbib.clinical import views as unit_views
from tbib.devices import views as device_views
from tbib.planning import views as planning_views
from tbib.sync import views as sync_views
from tbib.teleexpertise import views as platform_views
from tbib.web import views

urlpatterns = [
    # First: the machine interfaces carry most requests, and Django tries patterns in order.
    path("fhir/", include("tbib.fhir.urls")),
    path("api/", api.urls),
    path("", views.home, name="home"),
    path("units/<slug:code>/", views.unit_detail, name="unit-detail"),
    path("unit/", unit_views.today, name="unit-today"),
    path("unit/stops/<uuid:stop_id>/open", unit_views.stop_open, name="unit-stop-open"),
    path("unit/patients/new/", unit_views.patient_new, name="unit-patient-new"),
    path("unit/patients/<uuid:patient_id>/", unit_views.patient_chart, name="unit-patient"),
    path("unit/encounters/<uuid:encounter_id>/", unit_views.encounter_view, name="unit-encounter"),
    path(
        "unit/encounters/<uuid:encounter_id>/documents/<slug:kind>.pdf",
        unit_views.document,
        name="unit-document",
    ),
    path(
        "unit/encounters/<uuid:encounter_id>/findings/<slug:rule>/dismiss",
        assist_views.dismiss,
        name="unit-finding-dismiss",
    ),
    path("unit/devices/", device_views.devices, name="unit-devices"),
    path("unit/icd10/", unit_views.icd10_options, name="unit-icd10"),
    path(
        "unit/encounters/<uuid:encounter_id>/cases/",
        platform_views.encounter_cases,
        name="unit-encounter-cases",
    ),
    path(
        "unit/encounters/<uuid:encounter_id>/ask",
        platform_views.ask_specialist,
        name="unit-ask-specialist",
    ),
    path(
        "unit/cases/<uuid:case_id>/acknowledge",
        platform_views.acknowledge,
        name="unit-case-acknowledge",
    ),
    path("unit/answers/", platform_views.unit_answers, name="unit-answers"),
    path("platform/", platform_views.queue, name="platform-queue"),
    path("live/<uuid:case_id>/", platform_views.live, name="live"),
    path("platform/cases/<uuid:case_id>/", platform_views.case_view, name="platform-case"),
    path(
        "platform/cases/<uuid:case_id>/files/<str:sha256>",
        platform_views.attachment,
        name="platform-attachment",
    ),
    path("sync/enrol", sync_views.enrol, name="sync-enrol"),
    path("sync/status", sync_views.status, name="sync-status"),
    path("sync/reference", sync_views.reference_data, name="sync-reference"),
    path("sync/pull", sync_views.pull, name="sync-pull"),
    path("sync/push", sync_views.push, name="sync-push"),
    path("sync/lookup", sync_views.lookup, name="sync-lookup"),
    path("sync/blobs/<str:sha256>", sync_views.blob, name="sync-blob"),
    path("planning/", planning_views.overview, name="planning"),
    path("planning/access.<str:fmt>", planning_views.access_download, name="planning-access"),
    path("planning/compare/", planning_views.compare, name="planning-compare"),
    path("planning/scenarios/new", planning_views.scenario_new, name="planning-scenario-new"),
    path(
        "planning/scenarios/<uuid:scenario_id>/",
        planning_views.scenario_detail,
        name="planning-scenario",
    ),
    path(
        "planning/scenarios/<uuid:scenario_id>/adopt",
        planning_views.scenario_adopt,
        name="planning-adopt",
    ),
    path(
        "planning/scenarios/<uuid:scenario_id>/plan.<str:fmt>",
        planning_views.scenario_download,
        name="planning-download",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set-language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", verify_otp, name="otp-verify"),
    path("admin/", admin.site.urls),
    path("supervision/", include("tbib.supervision.urls")),
]
