"""URL map of a Tbib node."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tbib.accounts.views import verify_otp
from tbib.api import api
from tbib.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<slug:code>/", views.unit_detail, name="unit-detail"),
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
    path("api/", api.urls),
]
