from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tbib.settings import base


def test_argon2_is_the_production_hasher() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_french_is_the_default_language() -> None:
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "ar", "en"]


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TBIB_", "DATABASE_URL"))}
    env.pop("SECRET_KEY", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


def _tbib(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tbib.cli", *args],
        env=_env(DJANGO_SETTINGS_MODULE="tbib.settings.base", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "TBIB_MODE": "production",
    "DATABASE_URL": "postgres://tbib@db.example.org:5432/tbib",
    "TBIB_ALLOWED_HOSTS": "hub.tbib.ma",
    "SECRET_KEY": "k2Jq9vLx0pR7sT4wY1zB8nC5mD3fG6hA-Uv_Ei9oP2lK7jH4gF1dS0aQ8wE5rT3y",
}


def test_check_deploy_is_clean_in_production_mode() -> None:
    result = _tbib("manage", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set to a real secret in production mode."),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY must be set to a real secret in production mode."),
        ({"SECRET_KEY": "short-but-real"}, "SECRET_KEY must be at least 50 varied characters"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be a URL with scheme"),
        ({"DATABASE_URL": "postgres:///nohost"}, "DATABASE_URL has no host"),
        ({"TBIB_ROLE": "satellite"}, "TBIB_ROLE='satellite' is not one of: hub, edge."),
        ({"REDIS_URL": "http://cache"}, "REDIS_URL must be a URL with scheme redis, rediss"),
    ],
)
def test_bad_configuration_fails_at_start_with_the_variable_named(
    overrides: dict[str, str], message: str
) -> None:
    result = _tbib("manage", "check", **{**PRODUCTION, **overrides})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_read_environment_refuses_sqlite_hub_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from tbib.settings._env import read_environment

    for key, value in {**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ImproperlyConfigured, match="^A hub in production mode needs DATABASE_URL"):
        read_environment()
