from django.urls import path, re_path

from tbib.fhir import views

_TYPE = r"(?P<type_name>[A-Za-z]{1,64})"
_ID = r"(?P<rid>[A-Za-z0-9\-\.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="fhir-metadata"),
    path("", views.root, name="fhir-root"),
    re_path(rf"^{_TYPE}/?$", views.type_level, name="fhir-type"),
    re_path(rf"^{_TYPE}/{_ID}/?$", views.instance, name="fhir-instance"),
    re_path(rf"^{_TYPE}/{_ID}/_history/?$", views.history, name="fhir-history"),
    re_path(
        rf"^{_TYPE}/{_ID}/_history/(?P<vid>[A-Za-z0-9\-\.]{{1,64}})$",
        views.history,
        name="fhir-vread",
    ),
]
