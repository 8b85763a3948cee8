"""Celery tasks of the courses app: the trainee's logbook PDF, rendered by a worker, and the
daily deletion of case photographs past their retention period."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from courses.handson import logbook_pdf, photos

logger = logging.getLogger(__name__)


class LogbookRenderTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """The last retry failed: the logbook page says so and offers to try again."""
        enrolment_id = args[0] if args else kwargs.get("enrolment_id")
        if enrolment_id:
            logbook_pdf.logbook_pdf_mark_failed(enrolment_id=enrolment_id)


@shared_task(
    name="courses.tasks.logbook_pdf_render_task",
    base=LogbookRenderTask,
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=15,
    retry_backoff_max=120,
    max_retries=3,
    soft_time_limit=90,
    time_limit=120,
)
def logbook_pdf_render_task(self, enrolment_id: str) -> bool:
    """Render and store one enrolment's logbook PDF as the log is now. Idempotent: with
    the log unchanged since the last render it does nothing. A failure retries after
    about 15, 30 and 60 s; after the last, the page says it failed and offers to retry."""
    try:
        return logbook_pdf.logbook_pdf_render(enrolment_id=enrolment_id)
    except Exception:
        logger.exception("Rendering the logbook of %s failed (attempt %s)", enrolment_id, self.request.retries + 1)
        if not self.request.is_eager:
            raise  # autoretry_for: retried with backoff, then on_failure
        # No broker to hold a delayed retry (the embedded demo): try again at once.
        if self.request.retries < self.max_retries:
            return self.apply(args=[enrolment_id], retries=self.request.retries + 1).get()
        logbook_pdf.logbook_pdf_mark_failed(enrolment_id=enrolment_id)
        return False


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=600)
def handson_photos_retention_task() -> int:
    """Daily: delete the case photographs past their course's retention period."""
    return photos.photos_delete_expired()
