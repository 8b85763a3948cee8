"""Reactions to events earlier on the pathway (see core.signals)."""

from django.dispatch import receiver

from core.signals import eligibility_changed

from . import services


@receiver(eligibility_changed, dispatch_uid="certification.eligibility_changed")
def on_eligibility_changed(sender, *, trainee, enrolment=None, actor=None, **kwargs):
    services.certificates_suspension_sync(holder=trainee, actor=actor)
    services.awards_for_trainee(trainee=trainee, enrolment=enrolment, actor=actor)
