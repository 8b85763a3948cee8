"""Signals between apps, so that the apps further down the pathway react to events in
the ones before without those importing them.

``eligibility_changed`` is sent, inside the transaction that made the change, when
something a certificate depends on changes for a trainee: a licence verified, revoked or
expired (``enrolment`` None), or a written or practical exam passed (``enrolment`` set).
"""

from django.dispatch import Signal

eligibility_changed = Signal()  # kwargs: trainee, enrolment (or None), actor (or None)
