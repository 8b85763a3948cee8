from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

MSG_SET_UP_SECOND_FACTOR = "Your role needs a second factor. Set up an authenticator app to continue."


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
                messages.warning(request, _(MSG_SET_UP_SECOND_FACTOR))
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
