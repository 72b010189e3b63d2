"""One error shape for every API endpoint: a machine-readable code and a human message.

{"code": "invalid_input", "message": "...", "errors": [{"field": ..., "code": ..., ...}]}
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, exc.message, **exc.extra), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
                "code": str(e.get("type", "invalid")),
                "message": str(e.get("msg", "")),
            }
            for e in exc.errors
        ]
        body = error_body("invalid_input", _("Some fields are missing or wrong."), errors=errors)
        return api.create_response(request, body, status=400)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body("unauthenticated", _("A valid API key or session is required."))
        return api.create_response(request, body, status=401)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        body = error_body(f"http_{exc.status_code}", str(exc))
        return api.create_response(request, body, status=exc.status_code)
