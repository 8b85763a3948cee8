"""Demo certificates: the course's programme director and signature, a trainee who has
been through the whole pathway and holds an issued certificate, and one whose first
certificate was re-issued (superseded: its revocation status bit is set)."""

from __future__ import annotations

import contextlib
import datetime
import io
import math

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from courses.models import Course

CERTIFIED = ("trainee, certified", "certified@glabella.test", "demo-certified-pass")
REISSUED = ("trainee, re-issued", "reissued@glabella.test", "demo-reissued-pass")


def signature_png(width: int = 520, height: int = 140) -> bytes:
    """A handwritten-looking flourish in dark ink on a transparent background."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for i in range(400):
        t = i / 399
        x = 20 + t * (width - 60)
        y = height * 0.55 - math.sin(t * math.pi * 7) * 28 * (1 - t * 0.5) - math.sin(t * math.pi * 2.3) * 12
        points.append((x, y))
    draw.line(points, fill=(24, 38, 84, 255), width=4, joint="curve")
    draw.line([(40, height * 0.82), (width - 120, height * 0.74)], fill=(24, 38, 84, 230), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_director(course: Course) -> None:
    if course.director_signature:
        return
    course.director_name = course.director_name or "Dr Helen Okafor"
    course.director_title = course.director_title or "Medical Director, Glabella Academy"
    course.director_signature.save("signature.png", ContentFile(signature_png()), save=False)
    course.save(update_fields=["director_name", "director_title", "director_signature"])


def seed_issuing_key() -> str:
    """A development signing key unless one is active (idempotent); says which."""
    from .credentials import keys, services

    try:
        return f"Issuing key {keys.key_active().id} signs the demo's credentials ({keys.source()})."
    except keys.NoActiveKey:
        pass
    try:
        key = services.key_generate(command="generate (seed_demo)")
    except keys.KeyStoreError as error:
        return f"No issuing key, so certificates will not render: {error}"
    return f"Generated the development issuing key {key.id} in {keys.source()}."


def seed_backfill_credentials() -> None:
    from .credentials import keys, services

    with contextlib.suppress(keys.NoActiveKey):
        services.credentials_backfill()


def _qualified_award(course: Course, *, email: str, password: str, legal_name: str, licence_number: str):
    """A demo trainee taken through the whole pathway by the real services: the award."""
    from accounts.models import User
    from exams.demo import prepare_candidate
    from exams.models import Assessment
    from exams.practical import services as practical

    from .models import Award

    assessment = prepare_candidate(
        course, email=email, password=password, legal_name=legal_name, licence_number=licence_number,
        scheduled_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    examiner = User.objects.get(email="examiner@glabella.test")
    # The assessment took place today (final marks are accepted from its day on).
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=timezone.now())
    for rubric in assessment.rubrics.prefetch_related("criteria"):
        practical.score_save(
            assessment=assessment, rubric_id=rubric.pk, examiner=examiner,
            points={str(c.pk): c.points for c in rubric.criteria.all()}, global_grade=4,
            comments="Safe, fluent technique; clear consent and aftercare advice.", submit=True,
        )  # fmt: skip
    return Award.objects.get(enrolment=assessment.enrolment)


def seed_certified(course: Course) -> tuple[str, str, str]:
    """A trainee who passed everything; an administrator issued the certificate (it is
    rendered after the seeding transaction commits: at once in eager mode, by the worker
    otherwise)."""
    from accounts.models import User

    from .services.issuing import certificate_issue

    _role, email, password = CERTIFIED
    if User.objects.filter(email=email).exists():
        return CERTIFIED
    award = _qualified_award(
        course, email=email, password=password, legal_name="Dr Sofía Castellanos Ruiz", licence_number="G778899"
    )
    certificate_issue(award_id=award.pk, actor=User.objects.get(email="admin@glabella.test"))
    return CERTIFIED


def seed_reissued(course: Course) -> tuple[str, str, str]:
    """A trainee whose first certificate was re-issued: the first is superseded, its bit
    set in the revocation status list and its verification page naming the new one. The
    first is rendered here and now (re-issuing needs an issued certificate); the new one
    after the seeding transaction commits."""
    from accounts.models import User

    from .services.issuing import certificate_issue
    from .services.lifecycle import certificate_reissue
    from .services.rendering import certificate_render

    _role, email, password = REISSUED
    if User.objects.filter(email=email).exists():
        return REISSUED
    award = _qualified_award(
        course, email=email, password=password, legal_name="Dr Marek Novák", licence_number="G445566"
    )
    admin = User.objects.get(email="admin@glabella.test")
    first = certificate_issue(award_id=award.pk, actor=admin)
    certificate_render(certificate_id=first.pk)
    certificate_reissue(
        certificate_id=first.pk, actor=admin, reason="The holder's name was printed without its accent."
    )
    return REISSUED


# Not a secret: printed by seed_demo so that `curl` works against `make run`. Production
# keys are made on the API keys page and shown once.
DEMO_API_KEY = "glb_demo0001_DemoEmployerKey-for-local-testing-only-0000"
DEMO_API_ORGANISATION = "Northbridge Aesthetic Clinics (demo employer)"


def seed_api_key() -> tuple[str, str | None]:
    """An API key of a demo employer, and the verification code of the demo's certified
    trainee: (key, code or None)."""
    from accounts.models import User

    from .models import ApiKey, Certificate
    from .services.api_keys import api_key_create

    if not ApiKey.objects.filter(prefix="demo0001").exists():
        api_key_create(
            organisation=DEMO_API_ORGANISATION,
            contact_email="verify@northbridge.example",
            actor=User.objects.get(email="admin@glabella.test"),
            key=DEMO_API_KEY,
        )
    code = Certificate.objects.filter(holder__email=CERTIFIED[1]).values_list("code", flat=True).first()
    return DEMO_API_KEY, code
