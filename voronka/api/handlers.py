"""Every failure of the API is JSON ``{code, message, fields}`` with a 4xx status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from voronka.api.common import ERROR_MESSAGES, ApiError
from voronka.deals.errors import DealError


def _body(code, message=None, fields=None, missing=None) -> dict:
    return {
        "code": code,
        "message": str(message or ERROR_MESSAGES.get(code, code)),
        "fields": fields or {},
        "missing": missing or [],
    }


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    # ninja names the body parameter itself first ("payload"): drop it.
    if len(parts) > 1 and parts[0] in {"payload", "filters", "params"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def register_handlers(api) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return api.create_response(
            request, _body(exc.code, exc.message, exc.fields, exc.missing), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_name(err.get("loc", ())), []).append(str(err.get("msg", "")))
        return api.create_response(request, _body("invalid", fields=fields), status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, _body("unauthorized"), status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _body("not_found"), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, _body("forbidden"), status=403)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return api.create_response(request, _body("bad_request"), status=status)

    @api.exception_handler(DealError)
    def deal_error(request, exc: DealError):
        from voronka.deals.services import describe_missing

        status = 409 if exc.code == "conflict" else 422
        fields = {name: [exc.message] for name in exc.fields}
        missing = [describe_missing(m) for m in exc.missing]
        return api.create_response(
            request, _body(exc.code, exc.message, fields, missing), status=status
        )
