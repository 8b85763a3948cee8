"""Demo data for accounts: jurisdictions, one user per role, licences. Idempotent."""

from __future__ import annotations

import datetime
import io

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from core.uploads import check_document

from . import services
from .models import Jurisdiction, NameChangeRequest, Profession, User

# Demo only: a fixed base32 TOTP secret, so the printed code can be added to an app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  # nosec B105 (demo data, printed on purpose)

DEMO_USERS = [
    # email, password, legal name, profession, roles
    (
        "trainee@glabella.test",
        "demo-trainee-pass",
        "Dr Amara Okafor",
        Profession.PHYSICIAN_MD,
        ("trainee",),
    ),
    (
        "nurse@glabella.test",
        "demo-nurse-pass",
        "Sofía Hernández",
        Profession.REGISTERED_NURSE,
        ("trainee",),
    ),
    (
        "instructor@glabella.test",
        "demo-instructor-pass",
        "Dr Helen Marsh",
        Profession.PHYSICIAN_MD,
        ("instructor",),
    ),
    (
        "examiner@glabella.test",
        "demo-examiner-pass",
        "Dr Rajesh Iyer",
        Profession.PHYSICIAN_DO,
        ("examiner",),
    ),
    ("admin@glabella.test", "demo-admin-pass", "Morgan Ellis", "", ("administrator",)),
]

JURISDICTIONS = [
    (
        "US",
        "CA",
        "United States — California",
        ["md", "do", "np", "pa", "rn", "dds"],
        "Registered nurses and physician assistants inject under a supervising physician's order; "
        "an initial good-faith examination by a physician, NP or PA is required.",
    ),
    (
        "US",
        "TX",
        "United States — Texas",
        ["md", "do", "np", "pa", "rn"],
        "Nurses inject under physician delegation with a written protocol; "
        "the delegating physician remains responsible.",
    ),
    (
        "US",
        "NY",
        "United States — New York",
        ["md", "do", "np", "pa", "rn", "dds"],
        "Dentists may inject for dental and facial conditions within the scope of dentistry only.",
    ),
    (
        "GB",
        "",
        "United Kingdom",
        ["md", "np", "rn", "dds"],
        "Botulinum toxin is a prescription-only medicine: a face-to-face consultation "
        "with a prescriber is required before treatment.",
    ),
    (
        "CA",
        "ON",
        "Canada — Ontario",
        ["md", "np", "rn"],
        "Registered nurses require an order or a medical directive from a physician or nurse practitioner.",
    ),
]


def licence_card_png(name: str, number: str) -> bytes:
    image = Image.new("RGB", (900, 560), "#f4f1e8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 900, 90), fill="#1f3b57")
    draw.text((30, 30), "MEDICAL BOARD — LICENCE TO PRACTISE", fill="white")
    for i, line in enumerate((f"Name: {name}", f"Licence no.: {number}", "Status: Active", "Demo document")):
        draw.text((40, 140 + i * 60), line, fill="#1b2430")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed() -> list[tuple[str, str, str]]:
    """Create the demo world; returns (role, email, password) for the printout."""
    for country, region, name, professions, note in JURISDICTIONS:
        Jurisdiction.objects.update_or_create(
            country=country,
            region=region,
            defaults={
                "name": name,
                "certifiable_professions": professions,
                "requirements_note": note,
            },
        )
    california = Jurisdiction.objects.get(country="US", region="CA")
    users = {}
    printed = []
    for email, password, legal_name, profession, roles in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, legal_name=legal_name, profession=profession
            )
        services.user_roles_set(
            user=user,
            actor=None,
            trainee="trainee" in roles,
            instructor="instructor" in roles,
            examiner="examiner" in roles,
            administrator="administrator" in roles,
        )
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        needs_totp = user.is_administrator or user.is_examiner
        if needs_totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        users[email] = user
        printed.append((", ".join(roles), email, password))

    admin = users["admin@glabella.test"]
    today = timezone.localdate()
    for email, number, verify in (
        ("trainee@glabella.test", "A123456", True),
        ("nurse@glabella.test", "RN778899", False),
    ):
        holder = users[email]
        if holder.licences.exists():
            continue
        upload = SimpleUploadedFile("licence.png", licence_card_png(holder.legal_name, number), "image/png")
        licence = services.licence_submit(
            holder=holder,
            profession=holder.profession,
            number=number,
            jurisdiction=california,
            expires_on=today + datetime.timedelta(days=700),
            npi="1234567893" if holder.profession == Profession.PHYSICIAN_MD else "",
            document=check_document(upload),
        )
        if verify:
            services.licence_verify(licence_id=licence.pk, actor=admin)
    seed_name_change(users["trainee@glabella.test"])
    return printed


def marriage_certificate_png(old: str, new: str) -> bytes:
    image = Image.new("RGB", (900, 560), "#fbf8f0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 900, 90), fill="#5a3e2b")
    draw.text((30, 30), "CERTIFICATE OF MARRIAGE — CERTIFIED COPY", fill="white")
    lines = (f"Name before marriage: {old}", f"Name after marriage: {new}", "Registered: 14 June 2026",
             "Demo document")  # fmt: skip
    for i, line in enumerate(lines):
        draw.text((40, 140 + i * 60), line, fill="#1b2430")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_name_change(trainee: User) -> None:
    """The demo trainee, whose licence is verified (so the name is locked), asks to take
    a married name: the administrators' name change queue is not empty."""
    if NameChangeRequest.objects.filter(user=trainee).exists():
        return
    new_name = f"{trainee.legal_name}-Bennett"
    upload = SimpleUploadedFile("marriage.png", marriage_certificate_png(trainee.legal_name, new_name), "image/png")
    services.name_change_request_submit(
        user=trainee,
        requested_name=new_name,
        reason=NameChangeRequest.Reason.MARRIAGE,
        explanation="Married in June; my licence will be reissued by the board in the new name.",
        document=check_document(upload),
    )
