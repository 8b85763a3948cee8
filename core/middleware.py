from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

MSG_SET_UP_SECOND_FACTOR = _("Your role needs a second factor. Set up an authenticator app to continue.")


class SecondFactorRequiredMiddleware:
    """Administrators and examiners reach no page — the Django admin included — until
    they have an authenticator app set up. Account pages (sign out, set up the second
    factor) and static files stay reachable."""

    exempt_prefixes = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and any(getattr(user, role, False) for role in settings.MFA_REQUIRED_ROLES)
            and not request.path.startswith(self.exempt_prefixes)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user, ["totp"]):
                messages.warning(request, MSG_SET_UP_SECOND_FACTOR)
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def csp_header_value(policy: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` as a header value; an empty list is a
    directive without sources (``upgrade-insecure-requests``)."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sends ``Content-Security-Policy`` built from ``settings.SECURE_CSP`` on every
    response that has none of its own (a view may set a stricter one, as the licence
    document does).

    Django 6.0 has this built in, with the same setting (a dict of directive to sources);
    on 5.2 this small class stands in, and the upgrade deletes it. A response that a view
    lets be framed by our own pages (``@xframe_options_sameorigin``) gets
    ``frame-ancestors 'self'`` instead of the default ``'none'``."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = dict(getattr(settings, "SECURE_CSP", {}) or {})
        self.header = csp_header_value(policy)
        same_origin = {**policy, "frame-ancestors": ["'self'"]} if "frame-ancestors" in policy else policy
        self.same_origin_header = csp_header_value(same_origin)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            framed = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
            response["Content-Security-Policy"] = self.same_origin_header if framed else self.header
        return response


MSG_REQUEST_TOO_LARGE = _(
    "This request is too large. Files may be up to %(limit)s MB; choose a smaller file and try again."
)


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is over ``settings.MAX_REQUEST_BYTES`` with
    413, before anything reads the body: first in the stack, ahead of the CSRF check and
    the views that parse forms or JSON. Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE,
    FILE_UPLOAD_MAX_MEMORY_SIZE) act only while the body is parsed, after a large upload
    has been received and spooled to disk. The proxy in front should refuse the same size
    first (nginx ``client_max_body_size``; see the README's Production section).

    A body without Content-Length is read as empty by Django's WSGI handler, so the
    declared length is the only one that matters here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads a malformed length as no body at all
        if declared > limit:
            message = MSG_REQUEST_TOO_LARGE % {"limit": limit // (1024 * 1024)}
            response = HttpResponse(f"Glabella: {message}\n", status=413, content_type="text/plain; charset=utf-8")
            # The unread body would otherwise be taken for the next request on this
            # connection.
            response["Connection"] = "close"
            response["X-Content-Type-Options"] = "nosniff"
            return response
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Every response to a signed-in user is ``Cache-Control: private, no-store`` with
    ``Vary: Cookie``, unless its view set a Cache-Control of its own (a lesson image may
    be kept by the browser for an hour): certificates, results with correct answers,
    licence pages and staff pages must stay out of shared caches and off the disk of a
    shared computer. Anonymous pages are left as they are, and static files never reach
    this middleware (WhiteNoise answers them further up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Cookie",))
        return response


class RequestIdMiddleware:
    """Gives each request an id: the proxy's ``X-Request-ID`` when valid, else a new one
    (core.logging). Log records made while it is handled carry it, Celery tasks it
    enqueues carry it (config/celery.py), and the response sends it back.

    The id stays set until the response is closed (core.logging.request_id_clear on
    request_finished), not only while this middleware runs: Django logs a 4xx or 5xx
    response ("django.request") after the whole middleware chain has returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .logging import REQUEST_ID_HEADER, request_id_from, request_id_var

        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request_id_var.set(request.request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
