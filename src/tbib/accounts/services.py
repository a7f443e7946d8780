"""Authentication: passwords with lockout, TOTP second factor, bearer tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tbib.accounts.models import ApiToken, User
from tbib.core.rows import fetch_one, select_list


class LoginError(Exception):
    """A login that failed, with the message the person reads and the HTTP status to use."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime.datetime
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def second_factor_required(user: User) -> bool:
    """TOTP is required for roles that reach many records, in production mode."""
    return bool(settings.TBIB_SECOND_FACTOR_REQUIRED) and user.needs_second_factor


def verify_totp(user: User, code: str) -> bool:
    """Whether `code` is the current TOTP of one of the user's confirmed devices."""
    code = code.strip()
    if not code.isdigit():
        return False
    return any(
        device.verify_token(code)
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True)
    )


def check_password_login(request: HttpRequest, *, username: str, password: str) -> User:
    """The user with these credentials; django-axes counts failures and locks the account."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
        raise LoginError(
            f"This account is locked after {settings.AXES_FAILURE_LIMIT} failed logins; "
            f"try again in {minutes} minutes.",
            status=429,
        )
    if not isinstance(user, User):
        raise LoginError("Wrong username or password.")
    return user


def issue_token(
    request: HttpRequest, *, username: str, password: str, otp: str | None = None
) -> IssuedToken:
    """Exchange credentials (and a TOTP code where required) for a bearer token."""
    user = check_password_login(request, username=username, password=password)
    if second_factor_required(user):
        if not otp:
            raise LoginError("A TOTP code (field 'otp') is required for your role.")
        if not verify_totp(user, otp):
            raise LoginError("The TOTP code is wrong or expired.")
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(hours=settings.TBIB_TOKEN_TTL_HOURS)
    ApiToken.objects.create(user=user, digest=_digest(token), expires_at=expires_at)
    return IssuedToken(token=token, expires_at=expires_at, user=user)


class TokenError(Exception):
    """A bearer token that cannot be accepted, with a readable reason."""


def user_for_token(token: str) -> User:
    """The active user a bearer token belongs to, or TokenError saying why not.

    Every API and FHIR request comes through here, so the valid case is one hand-written
    query (the ORM spent about 1 ms of CPU compiling its join, more than PostgreSQL spent
    answering it); the refusals take the readable path below. Nothing is cached: a revoked
    token or a disabled account is refused from the next request on.
    """
    digest = _digest(token)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    valid = fetch_one(User, _VALID_TOKEN_USER, [digest, now])
    if valid is not None:
        return valid
    found = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if found is None:
        raise TokenError("Unknown bearer token.")
    if found.revoked_at is not None:
        raise TokenError("This bearer token has been revoked.")
    if found.expires_at <= timezone.now():
        raise TokenError("This bearer token has expired; ask POST /api/auth/token for a new one.")
    if not found.user.is_active:
        raise TokenError("This account is disabled.")
    return found.user


# The user of a token that is neither revoked nor expired, if active (user_for_token). Table
# and column names are the models' own; the values are bound.
_USER, _TOKEN = User._meta.db_table, ApiToken._meta.db_table
_VALID_TOKEN_USER = (
    f"SELECT {select_list(User, 'u')} FROM {_USER} u JOIN {_TOKEN} t ON t.user_id = u.id "  # noqa: S608
    "WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active"
)
