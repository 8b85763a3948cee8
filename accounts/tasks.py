from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def licences_expire_task() -> int:
    return services.licences_expire()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def licence_expiry_reminders_task() -> int:
    return services.licence_expiry_reminders_send()
