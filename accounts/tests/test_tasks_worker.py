"""The daily licence jobs, run by a real Celery worker process on Redis."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Licence
from accounts.tasks import licence_expiry_reminders_task, licences_expire_task
from accounts.tests.factories import LicenceFactory
from config.celery import app
from tests.support.mail import read_mail

pytestmark = [pytest.mark.worker]


def test_worker_expires_licences_and_sends_reminders(celery_worker_process, trainee, other_trainee):
    today = timezone.localdate()
    due = LicenceFactory(holder=trainee, verified=True, expires_on=today)
    soon = LicenceFactory(holder=other_trainee, verified=True, expires_on=today + datetime.timedelta(days=30))

    assert licences_expire_task.delay().get(timeout=60) == 1
    assert licence_expiry_reminders_task.delay().get(timeout=60) == 1
    # Running them again changes nothing and sends nothing more.
    assert licences_expire_task.delay().get(timeout=60) == 0
    assert licence_expiry_reminders_task.delay().get(timeout=60) == 0

    due.refresh_from_db()
    soon.refresh_from_db()
    assert due.status == Licence.Status.EXPIRED
    assert soon.status == Licence.Status.VERIFIED
    messages = read_mail(celery_worker_process["mail_dir"], expected=2)
    # Nothing else should arrive: every email task the jobs queued has run once the
    # worker is idle.
    celery_worker_process["broker"].wait_idle(log=celery_worker_process["log"])
    messages = read_mail(celery_worker_process["mail_dir"], expected=2)
    assert sorted((m["To"], m["Subject"]) for m in messages) == [
        (other_trainee.email, "[Glabella] Your licence expires in 30 days"),
        (trainee.email, "[Glabella] Your licence has expired"),
    ]


def test_beat_runs_both_licence_jobs_daily():
    app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    assert {"accounts.tasks.licences_expire_task", "accounts.tasks.licence_expiry_reminders_task"} <= tasks
    assert tasks <= set(app.tasks)
