from celery import shared_task

from courses.handson import photos


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=600)
def handson_photos_retention_task() -> int:
    """Daily: delete the case photographs past their course's retention period."""
    return photos.photos_delete_expired()
