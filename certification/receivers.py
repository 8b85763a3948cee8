"""Reactions to events earlier on the pathway (see core.signals)."""

from django.dispatch import receiver

from core.signals import eligibility_changed

from .services import awards, lifecycle


@receiver(eligibility_changed, dispatch_uid="certification.eligibility_changed")
def on_eligibility_changed(sender, *, trainee, enrolment=None, actor=None, **kwargs):
    lifecycle.certificates_suspension_sync(holder=trainee, actor=actor)
    awards.awards_for_trainee(trainee=trainee, enrolment=enrolment, actor=actor)
