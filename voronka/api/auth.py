"""API authentication: a personal token (``Authorization: Bearer <token>``) or the session."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth

from voronka.accounts.services import api_token_authenticate


def _use_language(user) -> None:
    if getattr(user, "language", ""):
        translation.activate(user.language)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            _use_language(user)
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked on writes), for the docs page."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


token_auth = TokenAuth()


def docs_login_required(view):
    """The docs page and the OpenAPI document: a signed-in session or a valid token."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or token_auth(request) is not None:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapper
