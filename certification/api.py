"""The verification API (/api/v1/): what the public verification page says about a
certificate, as JSON, for employers, insurers and regulators. Described by
certification/openapi.json, served at /api/v1/openapi.json.

Anonymous callers are limited per address (VERIFY_API_RATE_LIMIT); organisations with
an API key (``Authorization: Bearer glb_…``) per key (VERIFY_API_KEY_RATE_LIMIT), and
their use is counted per key and day. The data is public and no cookie is read, so any
site may call it (CORS ``*``); answers are never cached (a revocation shows at once)."""

from __future__ import annotations

import json
import re
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from core.ratelimit import allow, allow_for, retry_after

from . import verification
from .forms import LookupForm
from .services.api_keys import api_key_authenticate, api_key_usage_record

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _error(status: int, error: str, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail, **extra}, status=status)


def _unauthorised() -> JsonResponse:
    # One body for a malformed, an unknown and a revoked key: nothing tells them apart.
    response = _error(401, "unauthorized", _("The API key is missing, malformed, unknown or revoked."))
    response["WWW-Authenticate"] = 'Bearer realm="glabella-verify"'
    return response


def _too_many(rate: str) -> JsonResponse:
    wait = retry_after(rate)
    response = _error(
        429, "rate_limited", _("Too many requests. Retry after %(s)s seconds.") % {"s": wait}, retry_after=wait
    )
    response["Retry-After"] = str(wait)
    return response


def _outcome(response: HttpResponse) -> str:
    return {200: "found", 404: "not_found", 429: "rate_limited"}.get(response.status_code, "other")


def api_view(view):
    """GET only; who is asking (anonymous, or an API key); the rate limit for them; the
    key's use counted; CORS and no-store on every answer. A page may call the API
    anonymously (a simple CORS request); keys are for servers, so there is no preflight
    for the Authorization header (a key in a browser is a key given away)."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "method_not_allowed", _("Only GET is allowed."))
            response["Allow"] = "GET, HEAD"
            return _cors(response)
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            rate = settings.VERIFY_API_RATE_LIMIT
            if not allow(request, scope="verify-api", rate=rate):
                return _cors(_too_many(rate))
            return _cors(view(request, *args, **kwargs))
        scheme, _space, raw = header.partition(" ")
        api_key = api_key_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if api_key is None:
            # Wrong keys count against the caller's address, like anonymous requests.
            rate = settings.VERIFY_API_RATE_LIMIT
            if not allow(request, scope="verify-api", rate=rate):
                return _cors(_too_many(rate))
            return _cors(_unauthorised())
        rate = settings.VERIFY_API_KEY_RATE_LIMIT
        if allow_for(f"key:{api_key.pk}", scope="verify-api-key", rate=rate):
            response = view(request, *args, **kwargs)
        else:
            response = _too_many(rate)
        api_key_usage_record(api_key=api_key, outcome=_outcome(response))
        return _cors(response)

    return wrapped


def _answer(certificate) -> JsonResponse:
    """The one verdict (certification.verification.public_verdict), as JSON."""
    certificate, state = verification.public_verdict(certificate)
    if certificate is None:
        return _error(404, "not_found", _("No certificate matches."))
    return JsonResponse(verification.public_record(certificate, state), json_dumps_params={"ensure_ascii": False})


@api_view
def verify_code(request, code):
    """A certificate by its verification code (the end of its verification URL)."""
    if not CODE_PATTERN.fullmatch(code):
        return _error(
            400,
            "invalid_request",
            _("Check the parameters."),
            fields={"code": [_("A verification code is 16 to 64 letters, digits, - and _.")]},
        )
    return _answer(verification.certificate_for_code(code))


@api_view
def verify_lookup(request):
    """A certificate by its serial number and its holder's family name."""
    form = LookupForm({"serial": request.GET.get("serial", ""), "surname": request.GET.get("family_name", "")})
    if not form.is_valid():
        fields = {"family_name" if name == "surname" else name: errors for name, errors in form.errors.items()}
        return _error(400, "invalid_request", _("Check the parameters."), fields=fields)
    return _answer(
        verification.certificate_for_serial_and_surname(form.cleaned_data["serial"], form.cleaned_data["surname"])
    )


_openapi_cache: dict[str, bytes] = {}


@require_safe
def openapi(request):
    """The OpenAPI 3.1 description (the file shipped beside this module), with this
    site's address as its server."""
    if settings.SITE_URL not in _openapi_cache:
        document = json.loads(OPENAPI_PATH.read_text())
        document["servers"] = [{"url": settings.SITE_URL + "/api/v1"}]
        _openapi_cache[settings.SITE_URL] = json.dumps(document, indent=2, ensure_ascii=False).encode()
    response = HttpResponse(_openapi_cache[settings.SITE_URL], content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
