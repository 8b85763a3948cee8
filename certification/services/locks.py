"""The row lock every certificate write starts with."""

from __future__ import annotations

from certification.models import Certificate


def certificate_lock(certificate_id) -> Certificate:
    """The certificate, its row locked (SELECT … FOR UPDATE) until the caller's
    transaction ends; the holder and course are joined but not locked."""
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder", "award__course")
        .get(pk=certificate_id)
    )
