from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy

from core.emails import email_send_on_commit, site_domain
from core.ratelimit import login_attempt_begin, login_failures_forget

MSG_LOGIN_WAIT_SECONDS = ngettext_lazy(
    "Too many failed sign-in attempts for this account from your network. Try again in %(n)d second.",
    "Too many failed sign-in attempts for this account from your network. Try again in %(n)d seconds.",
    "n",
)
MSG_LOGIN_WAIT_MINUTES = ngettext_lazy(
    "Too many failed sign-in attempts for this account from your network. Try again in %(n)d minute.",
    "Too many failed sign-in attempts for this account from your network. Try again in %(n)d minutes.",
    "n",
)


def login_wait_message(seconds: int) -> str:
    if seconds < 60:
        return MSG_LOGIN_WAIT_SECONDS % {"n": seconds}
    minutes = -(-seconds // 60)
    return MSG_LOGIN_WAIT_MINUTES % {"n": minutes}


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's emails (confirmation, password reset) in the request and
        send them through Celery after the transaction commits. The site is named from
        settings (there is no Sites framework: allauth's would be the request's host, or
        nothing at all)."""
        context = {
            "email": email,
            **context,
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=site_domain()),
            "site_url": settings.SITE_URL,
        }
        message = self.render_mail(template_prefix, email, context)
        email_send_on_commit(to=list(message.to), subject=message.subject, body=message.body)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """No "confirmation email sent to …" after a sign-up: allauth adds it only when an
        email actually went (not again within the resend cooldown), so a repeated sign-up
        read differently. The page it lands on says the same thing every time."""
        if message_template == "account/messages/email_confirmation_sent.txt" and (message_context or {}).get("signup"):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    # Failed sign-ins: limited per account and address with a growing delay, and per
    # address by a high ceiling (core.ratelimit), instead of allauth's per-account lock
    # (which let anyone lock the owner out) and 10 a minute per address (which blocked a
    # whole clinic behind one NAT). allauth's "login_failed" rate now only guards the
    # second-factor step.
    def pre_authenticate(self, request, **credentials) -> None:
        login = credentials.get("email") or credentials.get("username") or ""
        self._login_attempt = login_attempt_begin(request, str(login))
        if self._login_attempt.wait:
            raise ValidationError(login_wait_message(self._login_attempt.wait), code="too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        attempt = getattr(self, "_login_attempt", None)
        if attempt is not None and not attempt.wait:
            attempt.succeeded()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        login = credentials.get("email") or credentials.get("username") or ""
        login_failures_forget(request, str(login))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Administrators and examiners keep their authenticator app: their pages
        require one. (An administrator can reset it for them in the Django admin.)"""
        user = authenticator.user
        required = any(getattr(user, role, False) for role in settings.MFA_REQUIRED_ROLES)
        if required and authenticator.type == Authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)
