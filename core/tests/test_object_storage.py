"""Private files on S3-compatible object storage, against a real S3 API on loopback
(moto's server mode): what is uploaded lands in the bucket, is streamed only through the
views that check who asks, is never reachable from the bucket without credentials, and is
removed when the application deletes it. Runs everywhere, CI included: no network."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import services as licence_services
from accounts.models import Licence
from accounts.tests.factories import JurisdictionFactory, pdf_bytes, png_bytes
from certification.models import Award, Certificate
from certification.services import issuing, rendering
from certification.tests.factories import qualified
from core import backups
from core.storage import PrivateS3Storage, private_storage
from core.uploads import check_document
from courses.tests.factories import CourseFactory
from tests.support.object_storage import private_storage_on_new_bucket, s3_server

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(settings, s3_endpoint):
    return private_storage_on_new_bucket(settings, s3_endpoint)


def licence_form(**overrides):
    data = {
        "profession": "md",
        "number": "A7654321",
        "jurisdiction": JurisdictionFactory().pk,
        "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
        "npi": "1234567893",
        "document": SimpleUploadedFile("licence.pdf", pdf_bytes()),
    }
    data.update(overrides)
    return data


def anonymous_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http on loopback)  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_licence_upload_lands_in_the_bucket_and_only_its_holder_can_download_it(
    bucket, client_for, trainee, other_trainee
):
    client = client_for(trainee)
    assert client.post(reverse("accounts:licence_create"), licence_form()).status_code == 302
    licence = Licence.objects.get(holder=trainee)
    assert bucket.keys() == [licence.document.name]
    assert licence.document.name.startswith(f"licences/{trainee.pk}/")
    assert not (Path(django_settings.PRIVATE_MEDIA_ROOT)).exists()  # nothing on this machine's disk

    url = reverse("accounts:licence_document", args=[licence.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == bucket.read(licence.document.name)

    assert client_for(other_trainee).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_nobody_reaches_a_file_in_the_bucket_without_credentials(bucket, client_for, trainee):
    client_for(trainee).post(reverse("accounts:licence_create"), licence_form())
    key = Licence.objects.get(holder=trainee).document.name

    # The object's own URL, unsigned, as anyone who learnt the bucket and key would ask.
    assert anonymous_status(bucket.url(key)) == 403
    # The same URL signed by the site's credentials answers, so the 403 is the ACL's doing.
    signed = bucket.client.generate_presigned_url("get_object", Params={"Bucket": bucket.name, "Key": key})
    with urllib.request.urlopen(signed, timeout=10) as response:  # noqa: S310  # nosec B310
        assert response.read() == bucket.read(key)
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert grants
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)  # the owner, no group of users
    # And the application never hands out a URL for a private file, signed or not.
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(key)


def test_a_certificate_is_rendered_into_the_bucket_emailed_downloaded_and_verified(
    bucket, instructor, examiner, administrator, client_for, client, mailoutbox, django_capture_on_commit_callbacks
):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert bucket.keys("certificates/") == [f"certificates/{certificate.serial}.pdf"]
    content = bucket.read(certificate.pdf.name)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == certificate.pdf_sha256

    (message,) = [m for m in mailoutbox if certificate.serial in m.subject]
    assert message.attachments[0][1] == content  # the worker read it back from the bucket

    download = client_for(certificate.holder).get(reverse("certification:pdf", args=[certificate.pk]))
    assert b"".join(download.streaming_content) == content

    # The hash look-up: the holder's copy, uploaded to the public verification page.
    client.logout()
    lookup = client.post(
        reverse("certification:verify_lookup"),
        {"action": "file", "document": SimpleUploadedFile("certificate.pdf", content)},
    )
    assert "has not been altered" in lookup.content.decode()
    assert certificate.serial in lookup.content.decode()


def test_a_render_that_died_after_writing_replaces_the_object_and_leaves_one(
    bucket, instructor, examiner, django_capture_on_commit_callbacks
):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=False):  # the message is "lost"
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=None)
    key = f"certificates/{certificate.serial}.pdf"
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=b"%PDF-1.7 half written")
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.RENDERING)
    with django_capture_on_commit_callbacks(execute=True):
        assert rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert bucket.keys("certificates/") == [key]
    assert hashlib.sha256(bucket.read(key)).hexdigest() == certificate.pdf_sha256


def test_a_submission_refused_after_its_file_was_written_removes_the_object(bucket, trainee, monkeypatch):
    def submit():
        return licence_services.licence_submit(
            holder=trainee, profession="md", number="A7654321", jurisdiction=JurisdictionFactory(),
            expires_on=timezone.localdate() + datetime.timedelta(days=200), npi="",
            document=check_document(SimpleUploadedFile("scan.png", png_bytes())),
        )  # fmt: skip

    first = submit()
    assert bucket.keys() == [first.document.name]
    # A second submission of the same number that passed the checks at the same moment
    # as the first: the database refuses it after its file was stored.
    monkeypatch.setattr(licence_services, "licence_submission_errors", lambda **kwargs: {})
    with pytest.raises(ValidationError):
        submit()
    assert bucket.keys() == [first.document.name]


def test_two_records_uploading_the_same_file_name_keep_their_own_objects(bucket):
    first, second = CourseFactory(), CourseFactory()
    first.director_signature.save("signature.png", ContentFile(png_bytes(color="navy")))
    second.director_signature.save("signature.png", ContentFile(png_bytes(color="red")))
    assert first.director_signature.name != second.director_signature.name
    assert len(bucket.keys("signatures/")) == 2
    first.refresh_from_db()
    with first.director_signature.open("rb") as handle:
        assert handle.read() == png_bytes(color="navy")


def test_backup_and_restore_carry_the_bucket(bucket, tmp_path):
    private_storage.save("licences/a/licence.pdf", ContentFile(b"%PDF-1.7 licence"))
    private_storage.save("certificates/GLB-1.pdf", ContentFile(b"%PDF-1.7 certificate"))
    archive = tmp_path / backups.MEDIA_ARCHIVE
    assert backups.media_archive(archive) == 2
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames()) == ["certificates/GLB-1.pdf", "licences/a/licence.pdf"]

    private_storage.delete("licences/a/licence.pdf")
    bucket.client.put_object(Bucket=bucket.name, Key="certificates/GLB-1.pdf", Body=b"overwritten")
    backups.media_restore(archive, stamp="test")
    assert bucket.read("licences/a/licence.pdf") == b"%PDF-1.7 licence"
    assert bucket.read("certificates/GLB-1.pdf") == b"%PDF-1.7 certificate"
    assert bucket.keys() == ["certificates/GLB-1.pdf", "licences/a/licence.pdf"]  # no suffixed copies
    assert backups.media_location() == f"s3://{bucket.name}/"


def test_a_restore_refuses_an_archive_that_climbs_out_of_the_bucket_prefix(bucket, tmp_path):
    archive = tmp_path / backups.MEDIA_ARCHIVE
    with tarfile.open(archive, "w:gz") as writing:
        info = tarfile.TarInfo("../outside.pdf")
        info.size = 3
        writing.addfile(info, io.BytesIO(b"pdf"))
    with pytest.raises(backups.BackupError, match="refused"):
        backups.media_restore(archive, stamp="test")
    assert bucket.keys() == []


def test_the_private_settings_of_the_bucket_cannot_be_loosened():
    storage = PrivateS3Storage(
        bucket_name="b", default_acl="public-read", querystring_auth=False, custom_domain="cdn.example.org",
        file_overwrite=True,
    )  # fmt: skip
    assert (storage.default_acl, storage.querystring_auth, storage.custom_domain, storage.file_overwrite) == (
        "bucket-owner-full-control", True, None, False,
    )  # fmt: skip


def settings_in_a_fresh_process(**environment) -> str:
    """PRIVATE_STORAGE_BACKEND as config.settings reads it from this environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PRIVATE_STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME", "S3_ENDPOINT_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    code = "import django; django.setup(); from django.conf import settings; print(settings.PRIVATE_STORAGE_BACKEND)"
    result = subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False,
        cwd=django_settings.BASE_DIR,
    )  # fmt: skip
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_the_environment_chooses_the_disk_or_a_bucket():
    assert settings_in_a_fresh_process() == "local"
    assert settings_in_a_fresh_process(AWS_STORAGE_BUCKET_NAME="glabella-private") == "s3"
    assert "set AWS_STORAGE_BUCKET_NAME" in settings_in_a_fresh_process(S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert "use local or s3" in settings_in_a_fresh_process(PRIVATE_STORAGE_BACKEND="nfs")
