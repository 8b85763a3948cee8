"""Status lists: each certificate's position, drawn at random when it is created, and the
bits flipped in the same transaction as the state change they publish (revocation,
supersession, suspension and reinstatement). What the lists look like to the outside is
certification.credentials.status."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from certification.models import StatusList

# Random draws before the free indexes are listed outright: a list is closed once full,
# so most draws land on a free index long before that.
RANDOM_DRAWS = 32


def _list_lock(list_id) -> StatusList:
    """The list, its row locked (SELECT … FOR UPDATE) until the caller's transaction ends."""
    return StatusList.objects.select_for_update().get(pk=list_id)


def _open_list_lock() -> StatusList:
    """The newest list with room, locked; a new one is created when the newest is full.
    Creating list n+1 twice at once is stopped by the unique number (the loser retries)."""
    while True:
        newest = StatusList.objects.select_for_update().order_by("-number").first()
        if newest is not None and newest.allocated < newest.size:
            return newest
        number = newest.number + 1 if newest else 1
        try:
            with transaction.atomic():
                StatusList.objects.create(number=number)
        except IntegrityError:
            continue  # another transaction created it first: lock that one


def _free_index(status_list: StatusList) -> int:
    """A random index no certificate holds in this list. The caller holds its lock."""
    taken = status_list.certificates.values_list("status_index", flat=True)
    for _draw in range(RANDOM_DRAWS):
        candidate = secrets.randbelow(status_list.size)
        if not taken.filter(status_index=candidate).exists():
            return candidate
    used = set(taken)
    free = [i for i in range(status_list.size) if i not in used]
    return free[secrets.randbelow(len(free))]


def status_position_allocate() -> tuple[StatusList, int]:
    """A list and a random unused index in it for a certificate about to be created (the
    spec's herd privacy: neighbouring indexes say nothing about issue order). Holds the
    open list's row lock until the caller's transaction ends, so two issues never draw
    the same index (the unique position constraint is the backstop). Both bits at the
    index are clear: indexes are never reused, certificates are never deleted."""
    with transaction.atomic():
        status_list = _open_list_lock()
        index = _free_index(status_list)
        StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
        status_list.allocated += 1
        return status_list, index


def status_positions_allocate(count: int) -> list[tuple[StatusList, int]]:
    """``count`` positions at once, for certificates created in bulk; random and unused
    as status_position_allocate's, under the same locks."""
    positions: list[tuple[StatusList, int]] = []
    with transaction.atomic():
        while len(positions) < count:
            status_list = _open_list_lock()
            used = set(status_list.certificates.values_list("status_index", flat=True))
            used.update(index for chosen, index in positions if chosen.pk == status_list.pk)
            wanted = min(count - len(positions), status_list.size - status_list.allocated)
            drawn: set[int] = set()
            while len(drawn) < wanted:
                candidate = secrets.randbelow(status_list.size)
                if candidate not in used:
                    drawn.add(candidate)
            positions += [(status_list, index) for index in drawn]
            StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + wanted)
    return positions


@transaction.atomic
def status_bit_set(*, status_list_id, index: int, purpose: str, value: bool) -> bool:
    """Set or clear one bit. Locks the list's row, so two certificates changing at once
    never lose each other's bit; bumps the purpose's version only if the bit changed
    (that version keys the signed list's cache). Returns whether it changed."""
    purpose = StatusList.Purpose(purpose).value
    status_list = _list_lock(status_list_id)
    bits = bytearray(status_list.bitstring(purpose))
    mask = 0x80 >> (index % 8)
    before = bool(bits[index // 8] & mask)
    if before == value:
        return False
    bits[index // 8] = bits[index // 8] | mask if value else bits[index // 8] & ~mask
    setattr(status_list, purpose, bytes(bits))
    setattr(status_list, f"{purpose}_version", status_list.version(purpose) + 1)
    status_list.updated_at = timezone.now()
    status_list.save(update_fields=[purpose, f"{purpose}_version", "updated_at"])
    return True


def certificate_status_publish(certificate, *, purpose: str, value: bool) -> bool:
    """Publish a certificate's state change in its bit; in the caller's transaction."""
    return status_bit_set(
        status_list_id=certificate.status_list_id, index=certificate.status_index, purpose=purpose, value=value
    )
