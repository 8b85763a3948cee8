"""The review visit's periodic task (CELERY_BEAT_SCHEDULE; imported through CELERY_IMPORTS
as it is not an app's ``tasks.py``)."""

from celery import shared_task

from . import review_services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=600)
def review_reminders_task() -> int:
    return review_services.review_reminders_send()
