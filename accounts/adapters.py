from allauth.account.adapter import DefaultAccountAdapter

from core.services import enqueue_on_commit
from core.tasks import email_send_task


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's emails (confirmation, password reset) in the request and
        send them through Celery after the transaction commits."""
        message = self.render_mail(template_prefix, email, context)
        enqueue_on_commit(email_send_task, to=list(message.to), subject=message.subject, body=message.body)
