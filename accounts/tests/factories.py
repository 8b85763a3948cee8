from __future__ import annotations

import datetime
import io

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from PIL import Image

from accounts.models import Jurisdiction, Licence, NameChangeRequest, Profession, User

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def png_bytes(size=(40, 30), color="navy", **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG", **save_kwargs)
    return out.getvalue()


def jpeg_bytes(size=(40, 30), color="teal", **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", **save_kwargs)
    return out.getvalue()


def pdf_bytes(text: str = "Licence") -> bytes:
    """A small, valid one-page PDF with no active content."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    legal_name = factory.Faker("name")
    profession = Profession.PHYSICIAN_MD
    is_trainee = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class TraineeFactory(UserFactory):
    is_trainee = True


class AdministratorFactory(UserFactory):
    is_trainee = False
    is_administrator = True
    is_staff = True
    is_superuser = True
    profession = ""


def add_totp(user: User) -> User:
    TOTP.activate(user, TOTP_SECRET)
    return user


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("country", "region")

    country = "US"
    region = "CA"
    name = "United States — California"
    certifiable_professions = factory.LazyFunction(lambda: ["md", "do", "np", "pa", "rn"])
    requirements_note = "Nurses inject under a supervising physician's order."


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    holder = factory.SubFactory(TraineeFactory)
    profession = Profession.PHYSICIAN_MD
    number = factory.Sequence(lambda n: f"A{100000 + n}")
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    document = factory.django.FileField(filename="licence.png", data=factory.LazyFunction(png_bytes))
    document_content_type = "image/png"
    status = Licence.Status.SUBMITTED

    class Params:
        verified = factory.Trait(
            status=Licence.Status.VERIFIED,
            decided_at=factory.LazyFunction(timezone.now),
            decided_by=factory.SubFactory(AdministratorFactory),
        )


class NameChangeRequestFactory(factory.django.DjangoModelFactory):
    """A pending request (written straight to the table: the service's rules, such as the
    locked name, are tested through the service)."""

    class Meta:
        model = NameChangeRequest

    user = factory.SubFactory(TraineeFactory)
    current_name = factory.LazyAttribute(lambda o: o.user.legal_name)
    requested_name = factory.LazyAttribute(lambda o: f"{o.user.legal_name} Okoro")
    reason = NameChangeRequest.Reason.MARRIAGE
    status = NameChangeRequest.Status.PENDING

    class Params:
        with_document = factory.Trait(
            document=factory.django.FileField(filename="certificate.png", data=factory.LazyFunction(png_bytes)),
            document_content_type="image/png",
        )
