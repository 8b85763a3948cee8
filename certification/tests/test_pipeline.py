"""Issuing: the render task stores one file and sends one email however often it runs,
fails visibly after its retries, and works end to end on a real worker."""

import base64
import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certification import documents
from certification.models import Award, Certificate
from certification.services import issuing, lifecycle, rendering
from certification.tasks import certificate_email_task, certificate_render_task
from certification.tests.factories import pass_practical, qualified
from core.models import AuditEvent
from core.pdf_signing import self_signed_files
from tests.support.files import pdf_text, qr_codes_on_first_page, stored_file_names
from tests.support.mail import read_mail
from tests.support.practical import build_eligible, schedule
from tests.support.wait import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(instructor, examiner, administrator, django_capture_on_commit_callbacks):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    return certificate


def test_issuing_renders_stores_and_emails_the_pdf(issued, settings, mailoutbox):
    assert issued.status == Certificate.Status.ISSUED
    content = issued.pdf.read()
    assert hashlib.sha256(content).hexdigest() == issued.pdf_sha256
    text = pdf_text(content)
    assert issued.holder_name in text
    assert issued.serial in text
    assert issued.course_title in text
    assert (len(PdfReader(io.BytesIO(content)).pages)) == 1
    (message,) = [m for m in mailoutbox if issued.serial in m.subject]
    assert message.to == [issued.holder.email]
    assert message.attachments[0][1] == content
    assert issued.verification_url() in message.body
    actions = list(
        AuditEvent.objects.filter(object_id=str(issued.pk)).order_by("created_at").values_list("action", flat=True)
    )
    assert actions == ["certificate.queued", "certificate.issued"]


def test_the_issued_pdf_carries_its_credential_and_still_verifies_byte_for_byte(issued, client):
    content = issued.pdf.read()
    assert hashlib.sha256(content).hexdigest() == issued.pdf_sha256  # of the final bytes
    # The signed credential, as stored: its proof included.
    assert json.loads(documents.credential_in_pdf(content)) == issued.credential
    assert issued.credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    url = reverse("certification:verify_lookup")
    page = client.post(url, {"action": "file", "document": SimpleUploadedFile("c.pdf", content)}).content.decode()
    assert "has not been altered" in page
    assert "This PDF carries its certificate's digital credential" in page
    link = re.search(r'<a class="button" href="data:application/vc\+ld\+json;base64,([^"]+)" download="([^"]+)">', page)
    assert link, page
    assert json.loads(base64.b64decode(link[1])) == issued.credential
    assert link[2] == f"{issued.serial}-credential.json"

    middle = len(content) // 2
    altered = content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :]
    page = client.post(url, {"action": "file", "document": SimpleUploadedFile("c.pdf", altered)}).content.decode()
    assert "Not a genuine, unaltered certificate" in page
    assert issued.serial not in page
    assert "data:application/vc+ld+json" not in page


def test_a_signed_pdf_is_stored_and_hashed_as_signed(
    instructor, examiner, administrator, settings, tmp_path, client, django_capture_on_commit_callbacks
):
    key_file, cert_file = self_signed_files(tmp_path / "keys")
    settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    content = certificate.pdf.read()
    assert b"/SubFilter /ETSI.CAdES.detached" in content
    assert hashlib.sha256(content).hexdigest() == certificate.pdf_sha256
    assert json.loads(documents.credential_in_pdf(content)) == certificate.credential
    url = reverse("certification:verify_lookup")
    page = client.post(url, {"action": "file", "document": SimpleUploadedFile("c.pdf", content)}).content.decode()
    assert "has not been altered" in page


def test_an_unreadable_signing_key_fails_the_render_visibly(
    instructor, examiner, administrator, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PDF_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    settings.PDF_SIGNING_CERT_FILE = str(tmp_path / "missing.crt")
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED  # never issued unsigned
    assert "The PDF signing key or certificate cannot be read" in certificate.last_error
    assert (certificate.pdf_sha256, stored_file_names()) == ("", [])


def test_running_the_tasks_again_changes_nothing(issued, settings, mailoutbox, django_capture_on_commit_callbacks):
    before = (stored_file_names(), issued.pdf_sha256, len(mailoutbox))
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_render_task.delay(str(issued.pk)).get() is False
        assert certificate_email_task.delay(str(issued.pk)).get() is False
    issued.refresh_from_db()
    assert (stored_file_names(), issued.pdf_sha256, len(mailoutbox)) == before
    assert len(before[0]) == 1


def test_a_render_interrupted_after_writing_the_file_leaves_one_file(
    instructor, examiner, settings, django_capture_on_commit_callbacks
):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=False):  # the message is "lost"
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
    # A worker died after writing the file but before its transaction committed.
    folder = settings.PRIVATE_MEDIA_ROOT / "certificates"
    folder.mkdir(parents=True)
    (folder / f"{certificate.serial}.pdf").write_bytes(b"%PDF-1.7 half written")
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.RENDERING)
    with django_capture_on_commit_callbacks(execute=True):
        assert rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert stored_file_names() == [f"{certificate.serial}.pdf"]
    assert hashlib.sha256(certificate.pdf.read()).hexdigest() == certificate.pdf_sha256


def test_a_failing_render_retries_then_shows_failed_and_an_administrator_retries(
    instructor, examiner, administrator, client_for, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    qualified(instructor, examiner=examiner)

    def broken(certificate, **options):
        raise OSError("font cache unreadable")

    monkeypatch.setattr(documents, "certificate_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.render_attempts == 1 + certificate_render_task.max_retries
    assert "font cache unreadable" in certificate.last_error
    client = client_for(administrator)
    page = client.get(reverse("certification:staff_detail", args=[certificate.pk])).content.decode()
    assert "Rendering failed after 5 attempts" in page
    assert "Retry rendering" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:staff_retry", args=[certificate.pk]))
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert AuditEvent.objects.filter(action="certificate.retried", actor=administrator).count() == 1
    assert len([m for m in mailoutbox if certificate.serial in m.subject]) == 1


def test_stalled_certificates_are_enqueued_again(instructor, examiner, django_capture_on_commit_callbacks):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down at commit
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
    assert lifecycle.certificates_requeue_stalled() == 0  # too recent to call stalled
    later = timezone.now() + datetime.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.certificates_requeue_stalled(now=later) == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED


@pytest.mark.worker
def test_the_whole_pipeline_on_a_real_worker(celery_worker_process, instructor, examiner, client, settings):
    """Pass both parts → the worker renders → the PDF names the holder and serial → its
    QR code is the verification URL → that page says valid."""
    enrolment = build_eligible(instructor)
    type(enrolment.course).objects.filter(pk=enrolment.course_id).update(certificate_auto_issue=True)
    enrolment.course.refresh_from_db()
    assessment = schedule(enrolment, [examiner])
    pass_practical(enrolment, examiner, assessment)  # the second pass; the award commits here

    certificate = Certificate.objects.get()
    wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).exists(),
        timeout=90,
        interval=0.3,
        what="the certificate to be issued",
        log=celery_worker_process["log"],
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED, celery_worker_process["log"].read_text()[-3000:]

    content = certificate.pdf.read()
    text = pdf_text(content)
    assert enrolment.trainee.legal_name in text
    assert certificate.serial in text
    codes = qr_codes_on_first_page(content)
    assert set(codes) == {certificate.verification_url()}
    url = codes[0]
    page = client.get(url.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    assert "Valid certificate" in page.content.decode()

    # The practical's schedule and result, then the certificate.
    messages = read_mail(celery_worker_process["mail_dir"], expected=3)
    (message,) = [m for m in messages if certificate.serial in m["Subject"]]
    assert message["To"] == enrolment.trainee.email
    attachment = next(part for part in message.walk() if part.get_content_type() == "application/pdf")
    assert attachment.get_payload(decode=True) == content

    # The same task delivered again (a redelivery after a lost acknowledgement) does nothing.
    assert certificate_render_task.delay(str(certificate.pk)).get(timeout=60) is False
    assert certificate_email_task.delay(str(certificate.pk)).get(timeout=60) is False
    celery_worker_process["broker"].wait_idle(log=celery_worker_process["log"])  # anything it sent has arrived
    assert len(read_mail(celery_worker_process["mail_dir"], expected=3)) == 3
    assert len(stored_file_names()) == 1
