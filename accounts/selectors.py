from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Licence, User


def licence_queue() -> QuerySet[Licence]:
    """Licences awaiting a decision, oldest first."""
    return (
        Licence.objects.filter(status=Licence.Status.SUBMITTED)
        .select_related("holder", "jurisdiction")
        .order_by("submitted_at", "id")
    )


def licence_list_for_holder(*, user: User) -> QuerySet[Licence]:
    return Licence.objects.filter(holder=user).select_related("jurisdiction", "decided_by").order_by("-submitted_at")


def get_licence_for(user: User, pk) -> Licence:
    """The licence if ``user`` may see it (its holder or an administrator); 404 otherwise,
    so that ids of other people's licences reveal nothing."""
    licences = Licence.objects.select_related("holder", "jurisdiction", "decided_by")
    if not user.is_administrator:
        licences = licences.filter(holder=user)
    try:
        return licences.get(pk=pk)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def licence_valid_for(*, user: User, today: datetime.date | None = None) -> QuerySet[Licence]:
    """The user's verified licences that have not reached their expiry date."""
    today = today or timezone.localdate()
    return Licence.objects.filter(holder=user, status=Licence.Status.VERIFIED, expires_on__gt=today).select_related(
        "jurisdiction"
    )


def licence_next_in_queue(*, after: Licence | None = None) -> Licence | None:
    queue = licence_queue()
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.first()
