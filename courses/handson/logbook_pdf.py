"""The trainee's logbook as a PDF: rendered by a Celery worker (``courses.tasks``), never
in a web request, stored in private storage and served again until the log changes.

Cache
    A rendered logbook is stored under ``logbooks/<enrolment id>/`` as the PDF and, beside
    it, a small JSON marker written last, named after the log's *fingerprint*: a digest of
    everything the PDF shows that can change (each signed or superseded session's id,
    status, signing time and reflection, the trainee's name, the course's title and
    requirement) and of ``LAYOUT_VERSION``. A sign-off, an amendment or a reflection
    changes the fingerprint, so the stored PDF no longer matches and a new one is
    rendered on request; older files are deleted after each render. Only the marker says
    a PDF is complete: a render that dies half way leaves no marker.

State of a request (``logbook_pdf_state``)
    ``ready``: the stored PDF matches the log. ``pending``: a render was asked for (a
    flag in the cache, shared by every web process through Redis) and has not finished.
    ``failed``: the worker gave up. ``none``: nothing asked for since the log last changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import posixpath

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from core.storage import private_storage
from courses.models import AdverseEvent, CasePhoto, Enrolment, InjectionSession, Review
from courses.selectors import course_is_taught_by

from . import face_sites, selectors

logger = logging.getLogger(__name__)

# Bump when the PDF's template or what it shows changes: every stored logbook is then stale.
LAYOUT_VERSION = 2  # 2: case types, products, reviews and photographs
FOLDER = "logbooks"
# How long a request stays "pending" without a result before it may be asked for again
# (a lost message or a dead worker); above the render task's time limit.
PENDING_SECONDS = 10 * 60
FAILED_SECONDS = 10 * 60
# Requests to render, per user: enough to follow a day's sign-offs, not to keep a worker busy.
RENDER_RATE = "6/10m"

READY, PENDING, FAILED, NONE = "ready", "pending", "failed", "none"


# Who may ask ----------------------------------------------------------------------------


def get_logbook_enrolment_for(user: User, pk) -> Enrolment:
    """An enrolment whose logbook PDF the user may request and download: their own, one
    of a course they teach (as an instructor), or any (administrators). 404 otherwise."""
    enrolment = Enrolment.objects.select_related("course", "trainee").filter(pk=pk).first()
    if enrolment is None or not user.is_authenticated:
        raise Http404
    if (
        enrolment.trainee_id == user.pk
        or user.is_administrator
        or (user.is_instructor and course_is_taught_by(enrolment.course, user))
    ):
        return enrolment
    raise Http404


# Fingerprint and storage ----------------------------------------------------------------


def logbook_fingerprint(enrolment: Enrolment) -> str:
    """A digest of what the logbook PDF shows that can change (one query)."""
    rows = list(
        InjectionSession.objects.filter(enrolment=enrolment)
        .exclude(status=InjectionSession.Status.DRAFT)
        .order_by("pk")
        .values_list("pk", "status", "signed_at", "reflection_at", "reflection")
    )
    # The review visits (editable until signed) and the photographs the PDF shows.
    reviews = list(
        Review.objects.filter(session__enrolment=enrolment)
        .order_by("pk")
        .values_list("pk", "status", "signed_at", "reviewed_on", "outcome", "symmetry", "management", "lot_number")
    )
    events = list(
        AdverseEvent.objects.filter(review__session__enrolment=enrolment)
        .order_by("pk")
        .values_list("pk", "kind", "severity", "description", "onset_on")
    )
    photos = sorted(
        str(pk) for pk in CasePhoto.objects.filter(session__enrolment=enrolment).values_list("pk", flat=True)
    )
    course = enrolment.course
    trainee = enrolment.trainee
    parts = [
        LAYOUT_VERSION,
        str(enrolment.pk),
        trainee.legal_name,
        trainee.email,
        course.code,
        course.title,
        course.handson_min_sessions,
        course.handson_recent_competent,
        sorted(course.handson_area_minimums.items()),
        sorted(course.handson_type_minimums.items()),
        course.handson_reviews_required,
        course.handson_mentor_cases_count,
        [tuple(str(value) for value in review) for review in reviews],
        [tuple(str(value) for value in event) for event in events],
        photos,
        [(str(pk), status, str(signed), str(reflected), hashlib.sha256(text.encode()).hexdigest())
         for pk, status, signed, reflected, text in rows],
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _folder(enrolment_id) -> str:
    return posixpath.join(FOLDER, str(enrolment_id))


def _marker_name(enrolment_id, fingerprint: str) -> str:
    return posixpath.join(_folder(enrolment_id), f"{fingerprint}.json")


def stored_pdf_name(enrolment_id, fingerprint: str) -> str | None:
    """The stored PDF rendered for this fingerprint, if its render completed."""
    marker = _marker_name(enrolment_id, fingerprint)
    try:
        with private_storage.open(marker, "rb") as handle:
            name = json.loads(handle.read())["file"]
    except (OSError, ValueError, KeyError):
        return None
    return name if private_storage.exists(name) else None


def _pending_key(enrolment_id, fingerprint: str) -> str:
    return f"logbook-pdf:pending:{enrolment_id}:{fingerprint}"


def _failed_key(enrolment_id, fingerprint: str) -> str:
    return f"logbook-pdf:failed:{enrolment_id}:{fingerprint}"


def logbook_pdf_state(enrolment: Enrolment, fingerprint: str | None = None) -> str:
    fingerprint = fingerprint or logbook_fingerprint(enrolment)
    if stored_pdf_name(enrolment.pk, fingerprint):
        return READY
    if cache.get(_failed_key(enrolment.pk, fingerprint)):
        return FAILED
    if cache.get(_pending_key(enrolment.pk, fingerprint)):
        return PENDING
    return NONE


def logbook_pdf_request(enrolment: Enrolment) -> bool:
    """Ask a worker to render the logbook, once the current transaction commits; returns
    False when nothing needs doing (already rendered, or a render is on its way)."""
    from core.services import enqueue_on_commit
    from courses.tasks import logbook_pdf_render_task

    fingerprint = logbook_fingerprint(enrolment)
    if stored_pdf_name(enrolment.pk, fingerprint):
        return False
    cache.delete(_failed_key(enrolment.pk, fingerprint))
    if not cache.add(_pending_key(enrolment.pk, fingerprint), timezone.now().isoformat(), timeout=PENDING_SECONDS):
        return False
    enqueue_on_commit(logbook_pdf_render_task, str(enrolment.pk))
    return True


# Rendering (in the worker) ------------------------------------------------------------


def logbook_html(enrolment: Enrolment) -> str:
    """The logbook's HTML for the PDF, from the enrolment's signed and superseded sessions."""
    sessions = selectors.sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    logbook = selectors.Logbook(
        course=enrolment.course,
        enrolment=enrolment,
        sessions=sessions,
        status=selectors.requirement_status(course=enrolment.course, sessions=sessions),
    )
    prefetch_related_objects(logbook.sessions, "product__references", "review__events", "review__sites", "photos")
    for session in logbook.sessions:
        session.photo_images = [_photo_image(photo) for photo in session.photos.all()]
    charts = [
        (
            s,
            face_sites.chart_context(
                {x.site_code: x.units for x in s.sites.all()},
                product=s.product.label(),
                editable=False,
                field_prefix="units_",
                translate=gettext,
            ),
        )
        for s in logbook.sessions
    ]
    context = {
        "course": logbook.course,
        "enrolment": enrolment,
        "rows": logbook.rows,
        "status": logbook.status,
        "trainee": enrolment.trainee,
        "charts": charts,
    }
    return render_to_string("courses/handson/logbook_pdf.html", context)


def _photo_image(photo: CasePhoto) -> tuple[str, str]:
    """(caption, data: URI) of a case photograph for the PDF: read from private storage by
    the worker and embedded, so the document needs nothing from outside."""
    with photo.file.open("rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    caption = f"{photo.get_kind_display()} · {photo.uploaded_at:%d %b %Y}"
    return caption, f"data:{photo.content_type};base64,{data}"


def render_logbook_pdf(enrolment: Enrolment) -> bytes:
    """The logbook as PDF bytes: the slow part (WeasyPrint), for the worker only."""
    from core.pdf import render_pdf

    return render_pdf(logbook_html(enrolment))


def logbook_pdf_render(*, enrolment_id) -> bool:
    """Render and store the logbook as it is now; True if this call rendered it. Running
    it again with the log unchanged renders nothing (idempotent)."""
    enrolment = Enrolment.objects.select_related("course", "trainee").get(pk=enrolment_id)
    fingerprint = logbook_fingerprint(enrolment)
    if stored_pdf_name(enrolment.pk, fingerprint):
        cache.delete(_pending_key(enrolment.pk, fingerprint))
        return False
    content = render_logbook_pdf(enrolment)
    folder = _folder(enrolment.pk)
    pdf_name = private_storage.save(posixpath.join(folder, f"{fingerprint}.pdf"), ContentFile(content))
    marker = _marker_name(enrolment.pk, fingerprint)
    if private_storage.exists(marker):
        private_storage.delete(marker)
    private_storage.save(
        marker,
        ContentFile(
            json.dumps(
                {
                    "fingerprint": fingerprint,
                    "file": pdf_name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "bytes": len(content),
                    "rendered_at": timezone.now().isoformat(),
                }
            ).encode()
        ),
    )
    cache.delete(_pending_key(enrolment.pk, fingerprint))
    _delete_stale(enrolment, keep={pdf_name, marker})
    return True


def _delete_stale(enrolment: Enrolment, *, keep: set[str]) -> None:
    """Delete the enrolment's stored logbooks other than ``keep`` and the one matching the
    log now (a render that finished while this one ran)."""
    current = logbook_fingerprint(enrolment)
    keep = keep | {_marker_name(enrolment.pk, current)}
    current_pdf = stored_pdf_name(enrolment.pk, current)
    if current_pdf:
        keep.add(current_pdf)
    folder = _folder(enrolment.pk)
    try:
        _dirs, files = private_storage.listdir(folder)
    except OSError:
        return
    for name in files:
        path = posixpath.join(folder, name)
        if path not in keep:
            private_storage.delete(path)


def logbook_pdf_mark_failed(*, enrolment_id) -> None:
    """The worker gave up: the page says so and offers to try again."""
    enrolment = Enrolment.objects.select_related("course", "trainee").filter(pk=enrolment_id).first()
    if enrolment is None:
        return
    fingerprint = logbook_fingerprint(enrolment)
    cache.delete(_pending_key(enrolment.pk, fingerprint))
    cache.set(_failed_key(enrolment.pk, fingerprint), True, timeout=FAILED_SECONDS)
