from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Licence, NameChangeRequest, User

# A licence in one of these states was verified once: the holder's name was checked
# against it, so the name is locked from then on (expired and revoked licences included).
ONCE_VERIFIED = (Licence.Status.VERIFIED, Licence.Status.EXPIRED, Licence.Status.REVOKED)


def licence_queue() -> QuerySet[Licence]:
    """Licences awaiting a decision, oldest first."""
    return (
        Licence.objects.filter(status=Licence.Status.SUBMITTED)
        .select_related("holder", "jurisdiction")
        .order_by("submitted_at", "id")
    )


def licence_list_for_holder(*, user: User) -> QuerySet[Licence]:
    return Licence.objects.filter(holder=user).select_related("jurisdiction", "decided_by").order_by("-submitted_at")


def licence_rejected_of(user: User, pk) -> Licence | None:
    """The user's own rejected licence ``pk``, or None (anything else, anyone else's)."""
    try:
        return Licence.objects.filter(holder=user, status=Licence.Status.REJECTED).get(pk=pk)
    except (Licence.DoesNotExist, ValueError, TypeError, ValidationError):
        return None


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


def licence_same_number_elsewhere(licence: Licence) -> list[Licence]:
    """Other holders' licences with this licence's jurisdiction, profession and number
    (any status), for the administrators reviewing it: one indexed query."""
    return list(
        Licence.objects.filter(jurisdiction_id=licence.jurisdiction_id, profession=licence.profession,
                               number=licence.number)
        .exclude(holder_id=licence.holder_id)
        .select_related("holder")
        .order_by("submitted_at", "id")
    )  # fmt: skip


def licence_valid_for(*, user: User, today: datetime.date | None = None) -> QuerySet[Licence]:
    """The user's verified licences that have not reached their expiry date."""
    today = today or timezone.localdate()
    return Licence.objects.filter(holder=user, status=Licence.Status.VERIFIED, expires_on__gt=today).select_related(
        "jurisdiction"
    )


def licence_holders_valid(*, user_ids, today: datetime.date | None = None) -> set[int]:
    """Which of these users hold a verified licence that has not expired (one query)."""
    today = today or timezone.localdate()
    return set(
        Licence.objects.filter(
            holder_id__in=list(user_ids), status=Licence.Status.VERIFIED, expires_on__gt=today
        ).values_list("holder_id", flat=True)
    )


def licence_next_in_queue(*, after: Licence | None = None) -> Licence | None:
    queue = licence_queue()
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.first()


def licence_awaiting(user: User, *, licences: Iterable[Licence] | None = None) -> Licence | None:
    """The user's licence that is submitted and awaiting verification (the most recently
    submitted, if several are), or None.

    ``licences``: the user's licences when the caller has already loaded them (as
    licence_list_for_holder returns them); they are searched instead of querying again,
    which keeps the dashboards at a fixed number of queries."""
    if licences is None:
        return (
            Licence.objects.filter(holder=user, status=Licence.Status.SUBMITTED)
            .select_related("jurisdiction")
            .order_by("-submitted_at", "-id")
            .first()
        )
    waiting = [licence for licence in licences if licence.status == Licence.Status.SUBMITTED]
    return max(waiting, key=lambda licence: licence.submitted_at, default=None)


def licence_counts() -> dict[str, int]:
    """How many licences are awaiting verification, verified, rejected and expired: one query."""
    return Licence.objects.aggregate(
        submitted=Count("pk", filter=Q(status=Licence.Status.SUBMITTED)),
        verified=Count("pk", filter=Q(status=Licence.Status.VERIFIED)),
        rejected=Count("pk", filter=Q(status=Licence.Status.REJECTED)),
        expired=Count("pk", filter=Q(status=Licence.Status.EXPIRED)),
    )


# Name changes ---------------------------------------------------------------------------


def legal_name_locked(user: User) -> bool:
    """Whether the user's legal name is bound to a verified identity: once any licence
    of theirs has been verified, the name changes only through an approved request."""
    if user.pk is None:
        return False
    return Licence.objects.filter(holder=user, status__in=ONCE_VERIFIED).exists()


def identity_licence_for(user: User) -> Licence | None:
    """The licence that verified the user's identity, to review a name change beside:
    the latest verified one, else the latest once verified (expired or revoked)."""
    licences = Licence.objects.filter(holder=user, status__in=ONCE_VERIFIED).select_related("jurisdiction")
    return licences.order_by(
        # verified first, then the most recently decided
        models.Case(models.When(status=Licence.Status.VERIFIED, then=0), default=1),
        models.F("decided_at").desc(nulls_last=True),
        "-submitted_at",
    ).first()


def name_change_queue() -> QuerySet[NameChangeRequest]:
    """Name change requests awaiting a decision, oldest first."""
    return (
        NameChangeRequest.objects.filter(status=NameChangeRequest.Status.PENDING)
        .select_related("user")
        .order_by("submitted_at", "id")
    )


def name_change_next_in_queue() -> NameChangeRequest | None:
    return name_change_queue().first()


def name_change_pending_count() -> int:
    return NameChangeRequest.objects.filter(status=NameChangeRequest.Status.PENDING).count()


def name_change_list_for(user: User) -> list[NameChangeRequest]:
    """The user's own requests, newest first."""
    return list(
        NameChangeRequest.objects.filter(user=user).select_related("decided_by").order_by("-submitted_at", "-id")
    )


def get_name_change_for(user: User, pk) -> NameChangeRequest:
    """The request if ``user`` may see it (its trainee or an administrator); 404 otherwise."""
    requests = NameChangeRequest.objects.select_related("user", "decided_by")
    if not user.is_administrator:
        requests = requests.filter(user=user)
    try:
        return requests.get(pk=pk)
    except (NameChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
