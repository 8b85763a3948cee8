from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
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
