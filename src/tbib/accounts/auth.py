"""How API callers prove who they are: a bearer token, or the web UI's session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from tbib.accounts.models import User
from tbib.accounts.services import TokenError, second_factor_required, user_for_token


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            user = user_for_token(token)
        except TokenError as error:
            raise AuthenticationError(401, str(error)) from error
        request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The web UI's session, once its second factor (where required) has been given."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if second_factor_required(user) and not getattr(user, "is_verified", lambda: False)():
            return None
        return user


API_AUTH = [BearerTokenAuth(), VerifiedSessionAuth()]
