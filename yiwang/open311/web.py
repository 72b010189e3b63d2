"""What every GeoReport v2 endpoint does around its own work: the method, the language, the
jurisdiction, the API key and its scope, the rate limit, and errors in the request's format."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yiwang.accounts.apikeys import authenticate_key
from yiwang.accounts.models import ApiClient
from yiwang.intake.limits import RateLimited, check_client_rate, check_open_read_rate
from yiwang.open311.formats import render_errors

SCOPE = "open311"


class Open311Error(Exception):
    """Answered as ``errors/error`` with ``status`` as the code of every error."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


@dataclass(frozen=True)
class Call:
    request: HttpRequest
    fmt: str
    client: ApiClient | None

    @property
    def params(self) -> QueryDict:
        """The form fields of a POST, the query string of a GET."""
        return self.request.POST if self.request.method == "POST" else self.request.GET

    def param(self, name: str) -> str:
        return (self.params.get(name) or "").strip()

    def common_param(self, name: str) -> str:
        """``api_key`` and ``jurisdiction_id``: in the form of a POST or in its address."""
        return self.param(name) or (self.request.GET.get(name) or "").strip()


View = Callable[..., HttpResponse]


def _language(request: HttpRequest) -> str:
    """``?locale=en`` (the spec's parameter) first, else the Accept-Language header."""
    locale = (request.GET.get("locale") or "").strip().lower()
    if locale.startswith("en"):
        return "en"
    if locale.startswith("zh"):
        return "zh-hans"
    return translation.get_language_from_request(request, check_path=False)


def _check_jurisdiction(call: Call) -> None:
    jurisdiction = call.common_param("jurisdiction_id")  # empty behaves as missing (spec)
    if jurisdiction and jurisdiction != settings.YIWANG_OPEN311_JURISDICTION:
        raise Open311Error(404, _("This server does not serve that jurisdiction."))


def _api_client(request: HttpRequest, key: str) -> ApiClient:
    """The client holding the open311 scope whose key this is; 403 for anything else."""
    if not key:
        header = request.headers.get("Authorization", "")
        scheme, _sep, rest = header.partition(" ")
        key = rest.strip() if scheme.lower() == "bearer" else ""
    if not key:
        raise Open311Error(403, _("An api_key is required."))
    client = authenticate_key(key)
    if client is None:
        raise Open311Error(403, _("The api_key is unknown or revoked."))
    if SCOPE not in client.scopes:
        raise Open311Error(403, _("This api_key may not use the Open311 interface."))
    return client


def _check_rate(request: HttpRequest, client: ApiClient | None) -> None:
    try:
        if client is not None:
            check_client_rate(request, client.pk, client.rate_limit_per_minute)
        else:
            check_open_read_rate(request)
    except RateLimited as exc:
        raise Open311Error(429, _("Too many requests; please try again later.")) from exc


@dataclass(frozen=True)
class _Endpoint:
    view: View
    methods: tuple[str, ...]
    keyed: bool

    def respond(self, request: HttpRequest, fmt: str, kwargs: dict[str, str]) -> HttpResponse:
        if request.method not in self.methods:
            response = render_errors(fmt, 405, [_("This method is not allowed here.")])
            response["Allow"] = ", ".join(self.methods)
            return response
        try:
            return self.view(self._call(request, fmt), **kwargs)
        except Open311Error as exc:
            return render_errors(fmt, exc.status, exc.descriptions)

    def _call(self, request: HttpRequest, fmt: str) -> Call:
        call = Call(request, fmt, None)
        _check_jurisdiction(call)
        if self.keyed:
            call = Call(request, fmt, _api_client(request, call.common_param("api_key")))
        _check_rate(request, call.client)
        return call


def endpoint(*methods: str, keyed: bool) -> Callable[[View], View]:
    """Wrap a view taking a ``Call``; ``keyed`` endpoints need an api_key with the scope."""

    def wrap(view: View) -> View:
        spec = _Endpoint(view, methods, keyed)

        @functools.wraps(view)
        def run(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            with translation.override(_language(request)):
                response = spec.respond(request, fmt, kwargs)
                response["Content-Language"] = translation.get_language()
            return response

        return csrf_exempt(run)

    return wrap
