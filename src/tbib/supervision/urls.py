from django.urls import path

from tbib.supervision import views

urlpatterns = [
    path("", views.overview, name="supervision"),
    path("units/<slug:code>/<str:day>/", views.unit_day, name="supervision-unit-day"),
    path("export/<str:table>.<str:fmt>", views.table_export, name="supervision-export"),
    path("report.pdf", views.monthly_report, name="supervision-report"),
    path("dhis2.json", views.dhis2_export, name="supervision-dhis2"),
]
