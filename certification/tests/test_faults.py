"""Fault injection on the certificate pipeline, against real PostgreSQL, Redis and Celery
worker processes: a worker killed mid-render, the broker down when an award commits, SMTP
down when the certificate is emailed, a poison message, and a rolled-back transaction.

Each test starts its own worker(s) on a private queue so it can choose the pool, the
moment the worker starts and the environment (an SMTP server that is not there)."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal

import psycopg2
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from certification.models import Award, Certificate
from certification.services import delivery, issuing, rendering
from certification.tests.factories import qualified
from config.celery import app
from core.models import AuditEvent
from tests.support.files import stored_file_names
from tests.support.mail import certificate_mails
from tests.support.practical import build_eligible, full_marks, held_today, schedule
from tests.support.wait import TIMEOUT, wait_for
from tests.support.worker import children_of, free_port


@contextlib.contextmanager
def audit_trail_locked():
    """Hold a SHARE lock on the audit trail from a second connection: any transaction
    that tries to record an event waits here, mid-way, until the block ends."""
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    try:
        with other.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AuditEvent._meta.db_table} IN SHARE MODE")
            yield other
        other.commit()
    finally:
        other.close()


def backends_waiting_to_audit() -> list[int]:
    # Asked on the test's own connection, in autocommit: a transaction would keep seeing
    # the statistics snapshot it took first.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE %s AND pid <> pg_backend_pid()",
            [f"%{AuditEvent._meta.db_table}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def issue_without_worker(instructor, examiner) -> Certificate:
    """A qualified trainee and a certificate issued by an administrator; its render
    message (and the earlier emails) wait in the queue, no worker runs yet."""
    qualified(instructor, examiner=examiner)
    return issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)


# 1. A worker killed while rendering ------------------------------------------------------


@pytest.mark.worker
def test_a_worker_child_killed_mid_render_is_redelivered_and_completes_once(broker, instructor, examiner, settings):
    """The pool child is SIGKILLed at the worst moment: the PDF is rendered and already
    written to storage, its transaction not committed (it waits on a lock held by the
    test). The parent sees the child die, and because the task is acks_late with
    reject_on_worker_lost it rejects the message with requeue: kombu puts it back at the
    head of the Redis queue at once (no visibility timeout involved), the parent forks
    a new child, and that one renders again. One certificate, one file, one email."""
    certificate = issue_without_worker(instructor, examiner)
    with audit_trail_locked():
        worker, log = broker.start_worker(pool="prefork")
        (child,) = wait_for(lambda: children_of(worker.pid), what="the pool child", log=log)
        wait_for(lambda: backends_waiting_to_audit(), what="the render to block on the audit trail", log=log)
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.RENDERING
        assert certificate.render_attempts == 1
        assert stored_file_names() == [f"{certificate.serial}.pdf"]  # written, not committed
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: "WorkerLostError" in log.read_text(), what="the parent to see its child die", log=log)
    # The lock is released; the killed child's transaction rolls back and the requeued
    # message runs in the new child.
    certificate = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).first(),
        what="the certificate to be issued",
        log=log,
    )
    mails = wait_for(lambda: certificate_mails(broker.mail_dir, certificate), what="the email", log=log)
    broker.wait_idle(log=log)  # whatever was still on its way has arrived
    assert len(certificate_mails(broker.mail_dir, certificate)) == len(mails) == 1
    assert Certificate.objects.count() == 1
    assert certificate.render_attempts == 2
    assert stored_file_names() == [f"{certificate.serial}.pdf"]
    assert certificate.pdf.read() == mails[0].get_payload()[1].get_payload(decode=True)
    assert AuditEvent.objects.filter(object_id=str(certificate.pk), action="certificate.issued").count() == 1
    new_children = children_of(worker.pid)
    assert new_children
    assert child not in new_children
    assert broker.length() == 0
    assert broker.unacked() == {}
    # Delivered twice, the second time right after the kill: the requeue, not the
    # visibility timeout (an hour) nor the stalled sweep (not run here).
    received = re.findall(r"certificate_render_task\[([0-9a-f-]+)\] received", log.read_text())
    assert len(received) == 2
    assert received[0] == received[1]


@pytest.mark.worker
def test_a_whole_worker_killed_mid_render_is_picked_up_by_the_stalled_sweep(broker, instructor, examiner, settings):
    """The worker and its child both die (the machine or container is lost): nobody is
    left to reject the message, so Redis keeps it as unacknowledged until the
    visibility timeout (an hour) and a fresh worker does not get it. The stalled sweep
    renders the certificate; the old message, when it does come back, does nothing."""
    certificate = issue_without_worker(instructor, examiner)
    with audit_trail_locked():
        worker, log = broker.start_worker(name="doomed", pool="prefork")
        (child,) = wait_for(lambda: children_of(worker.pid), what="the pool child", log=log)
        wait_for(backends_waiting_to_audit, what="the render to block on the audit trail", log=log)
        os.kill(worker.pid, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)
        worker.wait(timeout=10)
    (lost_tag,) = broker.unacked()  # taken, never acknowledged, not requeued
    assert broker.length() == 0

    _fresh, log = broker.start_worker(name="fresh")
    # The fresh worker runs everything queued (a no-op sent behind it comes back) and
    # leaves the lost message alone: Redis hands it out again only after the visibility
    # timeout, an hour after it was taken.
    broker.wait_idle(keep=(lost_tag,), log=log)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.RENDERING
    assert list(broker.unacked()) == [lost_tag]

    # The sweep (every 5 minutes by beat) sees it rendering for more than 15 minutes.
    Certificate.objects.filter(pk=certificate.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=16))
    assert app.tasks["certification.tasks.certificates_requeue_stalled_task"].delay().get(timeout=TIMEOUT) == 1
    certificate = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).first(),
        what="the certificate to be issued",
        log=log,
    )
    wait_for(lambda: certificate_mails(broker.mail_dir, certificate), what="the email", log=log)

    # An hour on, Redis's visibility timeout hands the lost message back (restore_visible
    # does this for each expired tag; done here for this one only): a duplicate, ignored.
    from kombu import Connection

    with Connection(broker.redis_url) as kombu_connection:
        kombu_connection.default_channel.qos.restore_by_tag(lost_tag, leftmost=True)
    wait_for(
        lambda: len(
            re.findall(r"certificate_render_task\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: False", log.read_text())
        ),
        what="the duplicate to be ignored",
        log=log,
    )
    broker.wait_idle(log=log)
    certificate.refresh_from_db()
    assert certificate.render_attempts == 2
    assert len(certificate_mails(broker.mail_dir, certificate)) == 1
    assert stored_file_names() == [f"{certificate.serial}.pdf"]
    assert AuditEvent.objects.filter(object_id=str(certificate.pk), action="certificate.issued").count() == 1
    assert broker.length() == 0
    assert broker.unacked() == {}


# 2. Redis down when the award is made ----------------------------------------------------


@contextlib.contextmanager
def broker_unreachable():
    """This process's Celery sends to a port where nothing listens (the cache, the
    result backend and the workers keep the real Redis)."""

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = saved
        reset_pools()


@pytest.mark.worker
def test_an_award_made_while_redis_is_down_is_issued_by_the_sweep_once_it_is_back(
    broker, instructor, examiner, client_for, settings, caplog, mailoutbox
):
    enrolment = build_eligible(instructor)
    type(enrolment.course).objects.filter(pk=enrolment.course_id).update(certificate_auto_issue=True)
    assessment = held_today(schedule(enrolment, [examiner]))
    rubric = assessment.rubrics.get()

    with broker_unreachable(), caplog.at_level("ERROR"):
        response = client_for(examiner).post(
            reverse("exams:score_station", args=[assessment.pk, rubric.pk]),
            {**{f"criterion_{k}": v for k, v in full_marks(rubric).items()}, "global_grade": "3",
             "comments": "Safe and confident", "action": "submit", "confirmed": "yes"},
        )  # fmt: skip
    # The examiner's submit went through; the award and the certificate are saved.
    assert response.status_code == 302
    award = Award.objects.get()
    certificate = Certificate.objects.get()
    assert certificate.award == award
    assert certificate.status == Certificate.Status.QUEUED
    # Neither message of that commit reached the broker; both are logged. The practical
    # result's email was sent from the request instead; the render waits for the sweep.
    lost = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Could not enqueue")]
    assert len(lost) == 2, [r.getMessage() for r in caplog.records]
    assert "core.tasks.email_send_task()" in lost[0]
    assert f"certification.tasks.certificate_render_task('{certificate.pk}',)" in lost[1]
    assert [m.to for m in mailoutbox] == [[enrolment.trainee.email]]
    assert "practical" in mailoutbox[0].subject
    assert broker.length() == 1  # only the schedule's email, sent before the outage
    # The trainee sees their result.
    page = client_for(enrolment.trainee).get(reverse("exams:practical", args=[enrolment.course.code]))
    assert page.status_code == 200
    assert "Passed" in page.content.decode()

    # Redis is back and a worker runs; nothing renders until the sweep finds it stalled.
    _worker, log = broker.start_worker()
    assert app.tasks["certification.tasks.certificates_requeue_stalled_task"].delay().get(timeout=TIMEOUT) == 0
    Certificate.objects.filter(pk=certificate.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=11))
    assert app.tasks["certification.tasks.certificates_requeue_stalled_task"].delay().get(timeout=TIMEOUT) == 1
    certificate = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).first(),
        what="the certificate to be issued",
        log=log,
    )
    wait_for(lambda: certificate_mails(broker.mail_dir, certificate), what="the email", log=log)
    # Sweeping again finds nothing; nothing was doubled.
    assert app.tasks["certification.tasks.certificates_requeue_stalled_task"].delay().get(timeout=TIMEOUT) == 0
    broker.wait_idle(log=log)
    assert Certificate.objects.count() == 1
    assert certificate.render_attempts == 1
    assert len(certificate_mails(broker.mail_dir, certificate)) == 1
    assert stored_file_names() == [f"{certificate.serial}.pdf"]


@pytest.mark.parametrize("smtp", ["up", "down"])
def test_broker_down_when_the_render_commits_the_email_is_sent_at_once_or_flagged(
    postgres, transactional_db, redis_url, instructor, examiner, settings, mailoutbox, caplog, smtp
):
    """No sweep looks for unsent emails, so the render's commit, finding the broker down,
    sends the certificate from its own process; if SMTP is down too, administrators see
    it flagged."""
    qualified(instructor, examiner=examiner)
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with broker_unreachable():
            certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
            if smtp == "down":
                smtp_nowhere(settings)
            with caplog.at_level("ERROR"):
                assert rendering.certificate_render(certificate_id=certificate.pk)
    finally:
        app.conf.task_always_eager = saved
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    lost = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Could not enqueue")]
    # The issue's render message, then the render's email message.
    assert len(lost) == 2, lost
    assert f"certification.tasks.certificate_email_task('{certificate.pk}',)" in lost[1]
    if smtp == "up":
        assert certificate.emailed_at is not None
        assert [m.to for m in mailoutbox if certificate.serial in m.subject] == [[certificate.holder.email]]
    else:
        assert certificate.emailed_at is None
        assert "ConnectionRefusedError" in certificate.email_error
        assert AuditEvent.objects.filter(object_id=str(certificate.pk), action="certificate.email_failed").count() == 1


# 4. SMTP down when the certificate is emailed ----------------------------------------------


def smtp_nowhere(settings) -> dict:
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return {"EMAIL_BACKEND": settings.EMAIL_BACKEND, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}


@pytest.mark.worker
def test_smtp_down_the_certificate_is_issued_the_email_retries_then_administrators_see_it_and_resend(
    broker, instructor, examiner, administrator, client_for, settings
):
    from certification.tasks import EMAIL_RETRIES, certificate_email_task

    certificate = issue_without_worker(instructor, examiner)
    worker, log = broker.start_worker(name="no-smtp", env=smtp_nowhere(settings))
    certificate = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).first(),
        what="the certificate to be issued",
        log=log,
    )
    # The first attempt fails and a retry is scheduled, 30 s or less away (full jitter).
    retry = wait_for(
        lambda: re.search(r"certificate_email_task\[([0-9a-f-]+)\] retry: Retry in ([0-9.]+)s", log.read_text()),
        what="the email to be retried",
        log=log,
    )
    assert float(retry[2]) <= 30
    assert "ConnectionRefusedError" in log.read_text()
    assert app.AsyncResult(retry[1]).state == "RETRY"
    certificate.refresh_from_db()
    assert certificate.emailed_at is None
    assert certificate.email_failed_at is None

    # The last retry (the same message with its retry count at the maximum) gives up and
    # says so on the certificate.
    result = certificate_email_task.apply_async(args=[str(certificate.pk)], retries=EMAIL_RETRIES)
    assert result.get(timeout=TIMEOUT) is False
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.emailed_at is None
    assert certificate.email_failed_at is not None
    assert "ConnectionRefusedError" in certificate.email_error
    event = AuditEvent.objects.get(object_id=str(certificate.pk), action="certificate.email_failed")
    assert event.details["attempts"] == EMAIL_RETRIES + 1

    client = client_for(administrator)
    page = client.get(reverse("certification:staff_detail", args=[certificate.pk])).content.decode()
    assert "Emailing the certificate to its holder failed" in page
    assert "ConnectionRefusedError" in page
    assert "Send the email again" in page
    listing = client.get(reverse("certification:staff_queue"), {"state": "email_failed"})
    assert listing.context["counts"]["email_failed"] == 1
    assert [c.pk for c in listing.context["page"]] == [certificate.pk]

    # SMTP is repaired (a worker that can send); the administrator sends it again. The
    # first worker's own retry, still waiting, goes with it: the test's forced last retry
    # made a second chain of attempts that a real worker never has, and if that retry ran
    # first the email would already be out when the administrator asks.
    broker.stop(worker)
    broker.purge()
    _worker, log = broker.start_worker(name="smtp-back")
    response = client.post(reverse("certification:staff_resend_email", args=[certificate.pk]))
    assert response.status_code == 302
    wait_for(lambda: certificate_mails(broker.mail_dir, certificate), what="the email", log=log)
    wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=False).exists(),
        what="the email to be recorded",
        log=log,
    )
    # The same task delivered again (a redelivery after a lost acknowledgement) sends nothing.
    assert certificate_email_task.delay(str(certificate.pk)).get(timeout=TIMEOUT) is False
    certificate.refresh_from_db()
    assert certificate.email_failed_at is None
    assert certificate.email_error == ""
    assert len(certificate_mails(broker.mail_dir, certificate)) == 1
    assert AuditEvent.objects.filter(action="certificate.email_resent", actor=administrator).count() == 1
    listing = client.get(reverse("certification:staff_queue"))
    assert listing.context["counts"]["email_failed"] == 0


@pytest.mark.django_db
def test_smtp_down_every_retry_is_made_then_the_failure_is_recorded(
    instructor, examiner, administrator, settings, django_capture_on_commit_callbacks
):
    """The same in eager mode, where the retries run at once: all of them happen."""
    from certification.tasks import EMAIL_RETRIES

    qualified(instructor, examiner=examiner)
    smtp_nowhere(settings)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.emailed_at is None
    assert "ConnectionRefusedError" in certificate.email_error
    event = AuditEvent.objects.get(object_id=str(certificate.pk), action="certificate.email_failed")
    assert event.details["attempts"] == EMAIL_RETRIES + 1
    assert f"failed after {EMAIL_RETRIES + 1} attempts" in event.summary

    # Mail works again; an administrator sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        delivery.certificate_email_resend(certificate_id=certificate.pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    assert (certificate.email_failed_at, certificate.email_error) == (None, "")
    assert [m.to for m in mail.outbox] == [[certificate.holder.email]]
    with pytest.raises(ValidationError, match="was emailed"):
        delivery.certificate_email_resend(certificate_id=certificate.pk, actor=administrator)


# 5. Poison messages, and retry delays against the visibility timeout ---------------------


@pytest.mark.worker
def test_a_poison_certificate_retries_then_is_failed_for_administrators_not_looped(
    broker, instructor, examiner, administrator, client_for, settings
):
    """A certificate whose rendering raises every time (its serial would make the file
    name leave the certificates folder, which storage refuses)."""
    from certification.tasks import RENDER_RETRIES, certificate_render_task

    qualified(instructor, examiner=examiner)
    with transaction.atomic():
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
        Certificate.objects.filter(pk=certificate.pk).update(serial="../GLA-2026-POISON")
    _worker, log = broker.start_worker()
    retry = wait_for(
        lambda: re.search(r"certificate_render_task\[([0-9a-f-]+)\] retry: Retry in 30s", log.read_text()),
        what="the first retry",
        log=log,
    )
    assert "SuspiciousFileOperation" in log.read_text()
    certificate.refresh_from_db()
    assert (certificate.status, certificate.render_attempts) == (Certificate.Status.RENDERING, 1)

    # Its last retry (the countdowns of the ones between are minutes long).
    final = certificate_render_task.apply_async(args=[str(certificate.pk)], retries=RENDER_RETRIES)
    assert final.get(timeout=TIMEOUT) is False
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert "SuspiciousFileOperation" in certificate.last_error
    assert AuditEvent.objects.filter(object_id=str(certificate.pk), action="certificate.failed").count() == 1
    # A retry still on its way from earlier finds it failed and does nothing.
    assert certificate_render_task.apply_async(args=[str(certificate.pk)], retries=1).get(timeout=TIMEOUT) is False
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.render_attempts == 2
    assert stored_file_names() == []
    assert broker.length() == 0
    # Nor does the sweep take it up again.
    Certificate.objects.filter(pk=certificate.pk).update(queued_at=timezone.now() - datetime.timedelta(hours=1))
    assert app.tasks["certification.tasks.certificates_requeue_stalled_task"].delay().get(timeout=TIMEOUT) == 0
    page = client_for(administrator).get(reverse("certification:staff_detail", args=[certificate.pk]))
    assert "Rendering failed after 2 attempts" in page.content.decode()
    assert "Retry rendering" in page.content.decode()
    assert app.AsyncResult(retry[1]).state == "RETRY"


@pytest.mark.worker
def test_a_certificate_that_kills_its_worker_every_time_is_failed_not_redelivered_for_ever(
    broker, instructor, examiner
):
    """acks_late with reject_on_worker_lost requeues the message each time the child
    dies; the certificate counts its attempts, and past the limit the delivery marks it
    failed instead of rendering again. Here four earlier deliveries already killed their
    child; the fifth is killed by the test."""
    certificate = issue_without_worker(instructor, examiner)
    Certificate.objects.filter(pk=certificate.pk).update(render_attempts=rendering.RENDER_ATTEMPTS_MAX - 1)
    with audit_trail_locked():
        worker, log = broker.start_worker(pool="prefork")
        (child,) = wait_for(lambda: children_of(worker.pid), what="the pool child", log=log)
        wait_for(backends_waiting_to_audit, what="the render to block on the audit trail", log=log)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: "WorkerLostError" in log.read_text(), what="the parent to see its child die", log=log)
    certificate = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.FAILED).first(),
        what="the certificate to be marked failed",
        log=log,
    )
    assert certificate.render_attempts == rendering.RENDER_ATTEMPTS_MAX
    assert "the worker stopped while rendering" in certificate.last_error
    wait_for(
        lambda: re.search(r"certificate_render_task\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: False", log.read_text()),
        what="the delivery that gave up to finish",
        log=log,
    )
    broker.wait_idle(log=log)  # a further delivery would have come before the no-op it sends
    received = re.findall(r"certificate_render_task\[([0-9a-f-]+)\] received", log.read_text())
    assert len(received) == 2  # the killed delivery and the one that gave up; no more
    assert broker.length() == 0
    assert broker.unacked() == {}


def retry_delays(task) -> list[float]:
    """The longest wait before each retry of ``task``, as configured."""
    from certification.tasks import RETRY_DELAYS_MAX

    retries = range(task.max_retries or 0)
    if task.name in RETRY_DELAYS_MAX:
        return [RETRY_DELAYS_MAX[task.name](n) for n in retries]
    if getattr(task, "autoretry_for", ()):
        backoff = getattr(task, "retry_backoff", False)
        if backoff:
            factor = 1 if backoff is True else backoff
            ceiling = getattr(task, "retry_backoff_max", 600)
            return [min(factor * 2**n, ceiling) for n in retries]
        return [task.default_retry_delay for _ in retries]
    return []


def test_no_retry_delay_or_time_limit_reaches_the_visibility_timeout():
    """With Redis, a message a worker holds unacknowledged for longer than the
    visibility timeout is delivered again: to another worker while the first still
    waits out a retry countdown or runs a long task. Every delay stays below it."""
    import inspect

    from django.conf import settings

    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "certification.tasks.certificate_render_task" in ours
    assert "core.tasks.email_send_task" in ours
    for name, task in ours.items():
        source = inspect.getsource(task.run)
        if "self.retry(" in source:
            from certification.tasks import RETRY_DELAYS_MAX

            assert name in RETRY_DELAYS_MAX, f"{name} retries with a countdown the test does not know"
        delays = retry_delays(task)
        assert all(0 < delay < visibility for delay in delays), (name, delays)
        assert delays == sorted(delays), (name, delays)
        assert task.default_retry_delay < visibility
        time_limit = task.time_limit or app.conf.task_time_limit
        assert time_limit, name
        assert time_limit < visibility, name
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert soft < time_limit, name
    assert retry_delays(ours["certification.tasks.certificate_render_task"]) == [30, 60, 120, 240]
    assert retry_delays(ours["certification.tasks.certificate_email_task"]) == [30, 60, 120, 240, 480, 600, 600, 600]
    # The jittered countdown stays within its ceiling.
    from certification.tasks import email_retry_countdown, email_retry_delay_max

    for retries in range(8):
        assert all(1 <= email_retry_countdown(retries) <= email_retry_delay_max(retries) for _ in range(50))


# 6. A rolled-back transaction enqueues nothing -------------------------------------------


def queued_task_names(broker) -> list[str]:
    return [json.loads(raw)["headers"]["task"] for raw in broker.redis.lrange(broker.queue, 0, -1)]


def test_a_rolled_back_issue_enqueues_nothing(broker, instructor, examiner):
    qualified(instructor, examiner=examiner)
    award = Award.objects.get()
    before = queued_task_names(broker)  # the emails of the pathway so far

    def issue_then_fail():
        with transaction.atomic():
            issuing.certificate_issue(award_id=award.pk, actor=None)
            raise RuntimeError("something after the issue failed")

    with pytest.raises(RuntimeError):
        issue_then_fail()
    with transaction.atomic():  # a savepoint rolled back inside a transaction that commits
        with pytest.raises(RuntimeError):
            issue_then_fail()
        assert not Certificate.objects.exists()
    assert not Certificate.objects.exists()
    assert queued_task_names(broker) == before

    issuing.certificate_issue(award_id=award.pk, actor=None)  # committed: one message
    assert queued_task_names(broker) == ["certification.tasks.certificate_render_task", *before]
