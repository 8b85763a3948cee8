"""The credential id answers JSON to JSON-LD clients and the page to everyone else;
link previews (Open Graph, Twitter) on public verification pages; LinkedIn's
add-to-profile link for a valid certificate; badge art for each course."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from certification.models import Certificate
from courses.models import Course
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db


def _verify(client, code, accept=None):
    headers = {"Accept": accept} if accept else {}
    return client.get(reverse("certification:verify", args=[code]), headers=headers)


# Content negotiation on the credential id --------------------------------------------------


@pytest.mark.parametrize("accept", ["application/vc+ld+json", "application/ld+json", "application/ld+json, */*;q=0.1"])
def test_json_ld_clients_get_the_credential_at_its_id(client, accept):
    certificate = make_certificate()
    response = _verify(client, certificate.code, accept)
    assert response.status_code == 200
    wanted = accept.split(",")[0]
    assert response["Content-Type"] == f"{wanted}; charset=utf-8"
    assert "Accept" in response["Vary"]
    credential = response.json()
    assert credential["id"] == certificate.verification_url()
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialSubject"]["achievement"]["humanCode"] == certificate.course_code


@pytest.mark.parametrize("accept", [None, "text/html,application/xhtml+xml,*/*;q=0.8", "*/*", "application/json"])
def test_browsers_and_everyone_else_get_the_page(client, accept):
    certificate = make_certificate()
    response = _verify(client, certificate.code, accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert "Valid certificate" in response.content.decode()


@pytest.mark.parametrize("accept", ["application/vc+ld+json", "text/html"])
def test_pending_and_unknown_codes_are_404_either_way(client, accept):
    queued = make_certificate()
    Certificate.objects.filter(pk=queued.pk).update(status="rendering")
    for code in (queued.code, "z" * 32):
        response = _verify(client, code, accept)
        assert response.status_code == 404
        assert queued.holder_name not in response.content.decode()
        if accept != "text/html":
            assert response.json()["error"] == "not_found"


def test_the_credential_url_answers_json_whatever_the_accept_header(client):
    certificate = make_certificate()
    response = client.get(reverse("certification:credential", args=[certificate.code]))
    assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
    assert response.json()["id"] == certificate.verification_url()


def test_a_revoked_certificates_credential_is_still_public(client):
    # Its status list (and this page) say revoked; hiding the JSON would say "unknown".
    certificate = make_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(
        status="revoked", revocation_reason="Fraud", revoked_at=timezone.now()
    )
    assert _verify(client, certificate.code, "application/ld+json").status_code == 200


def test_over_the_limit_a_json_client_gets_json_and_a_browser_the_page(client, settings):
    settings.VERIFY_RATE_LIMIT = "1/m"
    certificate = make_certificate()
    assert _verify(client, certificate.code).status_code == 200
    as_json = _verify(client, certificate.code, "application/vc+ld+json")
    as_page = _verify(client, certificate.code, "text/html")
    assert as_json.status_code == as_page.status_code == 429
    assert as_json.json()["error"] == "rate_limited"
    assert as_page["Content-Type"].startswith("text/html")
    assert as_json["Retry-After"] == as_page["Retry-After"] == "60"


# Link previews ------------------------------------------------------------------------------


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.tags[attrs.get("property") or attrs["name"]] = attrs.get("content", "")


def _meta(response) -> dict[str, str]:
    parser = _Meta()
    parser.feed(response.content.decode())
    return parser.tags


@pytest.mark.parametrize("state", ["valid", "revoked"])
def test_public_verification_pages_have_absolute_link_preview_tags(client, settings, state):
    certificate = make_certificate()
    if state == "revoked":
        Certificate.objects.filter(pk=certificate.pk).update(
            status="revoked", revocation_reason="Fraud", revoked_at=timezone.now()
        )
    tags = _meta(_verify(client, certificate.code))
    assert tags["og:title"] == f"{state.capitalize()} certificate: {certificate.course_title}"
    assert certificate.serial in tags["og:description"]
    assert tags["og:url"] == certificate.verification_url()
    assert tags["og:image"] == f"{settings.SITE_URL}/badges/{certificate.course_code}/card.png"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    for key in ("og:url", "og:image"):
        assert urlsplit(tags[key]).scheme in ("http", "https")
        assert urlsplit(tags[key]).netloc
    # The image it names is there, at the size it states.
    image = Image.open(io.BytesIO(client.get(urlsplit(tags["og:image"]).path).content))
    assert image.size == (int(tags["og:image:width"]), int(tags["og:image:height"])) == (1200, 630)


def test_no_preview_tags_for_unknown_or_unissued_codes(client):
    queued = make_certificate()
    Certificate.objects.filter(pk=queued.pk).update(status="queued")
    for code in (queued.code, "q" * 32):
        tags = _meta(_verify(client, code))
        assert not any(name.startswith(("og:", "twitter:")) for name in tags)


# LinkedIn -----------------------------------------------------------------------------------


def test_the_holder_gets_a_filled_in_linkedin_link_for_a_valid_certificate(client_for):
    certificate = make_certificate()
    page = client_for(certificate.holder).get(reverse("certification:detail", args=[certificate.pk]))
    text = page.content.decode()
    assert "Add to LinkedIn profile" in text
    match = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', text)
    url = urlsplit(match.group(1).replace("&amp;", "&"))
    params = {name: values[0] for name, values in parse_qs(url.query, strict_parsing=True).items()}
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": "Glabella",
        "issueYear": str(certificate.issued_on.year),
        "issueMonth": str(certificate.issued_on.month),
        "expirationYear": str(certificate.expires_on.year),
        "expirationMonth": str(certificate.expires_on.month),
        "certUrl": certificate.verification_url(),
        "certId": certificate.serial,
    }
    assert 'data-copy="share-link"' in text  # the copy-link button is still there


@pytest.mark.parametrize(
    "change",
    [{"status": "expired"}, {"suspended_at": timezone.now()},
     {"status": "revoked", "revocation_reason": "Fraud", "revoked_at": timezone.now()}],
)  # fmt: skip
def test_no_linkedin_link_unless_valid(client_for, change):
    certificate = make_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(**change)
    page = client_for(certificate.holder).get(reverse("certification:detail", args=[certificate.pk]))
    assert "linkedin.com" not in page.content.decode()


# Badge art ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "size"), [("badge.png", (600, 600)), ("card.png", (1200, 630))])
def test_badge_art_png_decodes_at_its_size(client, name, size):
    certificate = make_certificate()
    response = client.get(reverse("certification:badge_image", args=[certificate.course_code, name]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG"
    assert image.size == size
    # Drawn, not blank: the brand colour and the white medallion are both there.
    colours = {rgb for _count, rgb in image.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert (15, 76, 92) in colours
    assert (255, 255, 255) in colours


def test_badge_art_svg_names_the_course_and_loads_nothing(client):
    certificate = make_certificate()
    response = client.get(reverse("certification:badge_image", args=[certificate.course_code, "badge.svg"]))
    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert svg.startswith("<svg")
    assert certificate.course_code in svg
    for outside in ("href", "<script", "@import", "url("):
        assert outside not in svg


def test_no_badge_art_for_draft_or_unknown_courses(client):
    certificate = make_certificate()
    Course.objects.filter(code=certificate.course_code).update(status="draft")
    Certificate.objects.filter(pk=certificate.pk).update(status="queued")
    for code in (certificate.course_code, "no-such-course"):
        assert client.get(reverse("certification:badge_image", args=[code, "badge.png"])).status_code == 404
    # Once a certificate of it is public, its holders' badge shows even if the course is not published.
    Certificate.objects.filter(pk=certificate.pk).update(status="issued")
    url = reverse("certification:badge_image", args=[certificate.course_code, "badge.png"])
    assert client.get(url).status_code == 200


def test_the_open_badge_names_its_image(client_for, settings):
    certificate = make_certificate()
    credential = client_for(certificate.holder).get(reverse("certification:badge", args=[certificate.pk])).json()
    image = credential["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image"
    assert image["id"] == f"{settings.SITE_URL}/badges/{certificate.course_code}/badge.png"
    assert certificate.course_title in image["caption"]
