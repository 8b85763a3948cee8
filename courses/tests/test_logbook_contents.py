"""What the trainee's logbook (page and PDF) shows of a case beyond its doses: its
photographs, and that the stored PDF is rendered again when a photograph or a review visit
changes what it would show."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import TraineeFactory
from core.storage import private_storage
from courses.handson import logbook_pdf, review_services
from courses.handson.services import session_sign
from tests.support.consultation import add_photo, record_consultation
from tests.support.handson import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(enrolment, instructor):
    """A signed case whose consultation records the consent to photographs, with a
    photograph taken before the treatment."""
    two_weeks_ago = timezone.now() - datetime.timedelta(days=14)
    session = record(enrolment, instructor, sign=False, performed_on=timezone.localdate(two_weeks_ago))
    record_consultation(session, instructor, consent_taken_at=two_weeks_ago.replace(second=0, microsecond=0))
    add_photo(session, instructor, kind="before")
    session_sign(session_id=session.pk, instructor=instructor)
    return session


def pdf_images(enrolment) -> int:
    """How many distinct pictures the freshly rendered logbook PDF holds (the face charts
    are vector drawings, so these are the photographs)."""
    assert logbook_pdf.logbook_pdf_render(enrolment_id=enrolment.pk)
    name = logbook_pdf.stored_pdf_name(enrolment.pk, logbook_pdf.logbook_fingerprint(enrolment))
    with private_storage.open(name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    return len({hashlib.sha256(image.data).hexdigest() for page in reader.pages for image in page.images})


def test_the_logbook_page_shows_the_trainee_their_case_photographs(client_for, enrolment, photographed):
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[enrolment.course.code]))
    html = page.content.decode()
    photo = photographed.photos.get()
    assert f'src="{reverse("courses:photo_file", args=[photo.pk])}"' in html
    assert 'alt="Before treatment photograph"' in html


def test_the_logbook_pdf_carries_the_case_photographs(enrolment, instructor, photographed):
    with_photo = pdf_images(enrolment)
    assert with_photo == 1
    record(enrolment, instructor, model_code="M-0200")  # a case without photographs adds none
    assert pdf_images(enrolment) == 1


def test_a_new_photograph_or_a_signed_review_makes_the_stored_pdf_stale(enrolment, instructor, photographed):
    before = logbook_pdf.logbook_fingerprint(enrolment)
    add_photo(photographed, instructor, kind="review")
    after_photo = logbook_pdf.logbook_fingerprint(enrolment)
    assert after_photo != before
    review = review_services.review_save(
        session_id=photographed.pk, instructor=instructor, topup={}, events=[], acknowledged=True,
        data={"reviewed_on": timezone.localdate(), "timing_note": "", "outcome": "full", "symmetry": "symmetrical",
              "lot_number": "C1234A", "management": ""},
    )  # fmt: skip
    recorded = logbook_pdf.logbook_fingerprint(enrolment)
    assert recorded != after_photo
    review_services.review_sign(review_id=review.pk, instructor=instructor)
    assert logbook_pdf.logbook_fingerprint(enrolment) != recorded


def test_the_review_page_shows_the_review_photographs_to_those_who_may_see_them(
    client_for, enrolment, instructor, photographed
):
    review = review_services.review_save(
        session_id=photographed.pk, instructor=instructor, topup={}, events=[], acknowledged=True,
        data={"reviewed_on": timezone.localdate(), "timing_note": "", "outcome": "full", "symmetry": "symmetrical",
              "lot_number": "C1234A", "management": ""},
    )  # fmt: skip
    at_review = add_photo(photographed, instructor, kind="review")
    url = reverse("courses:review_detail", args=[review.pk])
    src = f'src="{reverse("courses:photo_file", args=[at_review.pk])}"'
    before = photographed.photos.get(kind="before")
    page = client_for(enrolment.trainee).get(url).content.decode()
    assert "Photographs at the review" in page
    assert src in page
    assert reverse("courses:photo_file", args=[before.pk]) not in page  # only the review's
    # Anyone else is not shown the review at all.
    stranger = TraineeFactory()
    assert client_for(stranger).get(url).status_code == 404


def test_the_page_footer_is_set_in_the_same_font_as_the_text(enrolment, instructor):
    """Page margin boxes do not inherit the body's font: the footer was in a serif."""
    record(enrolment, instructor)
    reader = PdfReader(io.BytesIO(logbook_pdf.render_logbook_pdf(enrolment)))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert not [name for name in fonts if "Serif" in name or "Times" in name], fonts
    assert any("Glabella · " in page.extract_text() and " of " in page.extract_text() for page in reader.pages)
