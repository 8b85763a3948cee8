from celery import shared_task

from .services import attempts


@shared_task(acks_late=True)
def attempts_close_expired_task() -> int:
    """Close and grade attempts whose deadline passed while nobody touched them."""
    return attempts.attempts_close_expired()
