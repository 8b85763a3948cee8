from celery import shared_task

from .services import attempts
from .sittings import services as sittings


@shared_task(acks_late=True)
def attempts_close_expired_task() -> int:
    """Close and grade attempts whose deadline passed while nobody touched them (paused
    attempts are not: their clock is stopped)."""
    return attempts.attempts_close_expired()


@shared_task(acks_late=True)
def sitting_draw_papers_task(sitting_id: int) -> int:
    """Draw the papers of a sitting's booked candidates (idempotent)."""
    return sittings.sitting_draw_papers(sitting_id)


@shared_task(acks_late=True)
def booking_draw_paper_task(booking_id: int) -> bool:
    """Draw one booked candidate's paper (idempotent)."""
    return sittings.booking_draw_paper(booking_id)


@shared_task(acks_late=True)
def sittings_draw_due_task() -> int:
    """The beat: draw the papers of sittings opening soon (or open) that lack some."""
    drawn = 0
    for sitting_id in sittings.sittings_due_for_papers():
        drawn += sittings.sitting_draw_papers(sitting_id)
    return drawn
