"""One error shape for every API endpoint: a machine-readable code and a human message.

{"code": "invalid_input", "message": "...", "errors": [{"field": ..., "code": ..., ...}]}
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from yiwang.intake.validation import InvalidInput


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying why it is not one."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "malformed_json", _("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("The request body must be a JSON object."))
    return data


def wrong_types_error(exc: PydanticValidationError) -> ApiError:
    """A schema's type errors as one 400, each field with ``missing`` or ``wrong_type``."""
    errors = [
        {
            "field": ".".join(str(part) for part in error["loc"]) or None,
            "code": "missing" if error["type"] == "missing" else "wrong_type",
            "message": error["msg"],
        }
        for error in exc.errors()
    ]
    return ApiError(400, "invalid_input", _("Some fields are missing or wrong."), errors=errors)


def invalid_input_error(exc: InvalidInput) -> ApiError:
    """A submission's field errors as one 400, each field with its code and message."""
    errors = [
        {"field": name, "code": err.code, "message": err.message}
        for name, errs in exc.errors.items()
        for err in errs
    ]
    return ApiError(400, "invalid_input", _("Some fields are missing or wrong."), errors=errors)


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
