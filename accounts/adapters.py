from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from core.emails import email_send_on_commit


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's emails (confirmation, password reset) in the request and
        send them through Celery after the transaction commits."""
        message = self.render_mail(template_prefix, email, context)
        email_send_on_commit(to=list(message.to), subject=message.subject, body=message.body)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Administrators and examiners keep their authenticator app: their pages
        require one. (An administrator can reset it for them in the Django admin.)"""
        user = authenticator.user
        required = any(getattr(user, role, False) for role in settings.MFA_REQUIRED_ROLES)
        if required and authenticator.type == Authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)
