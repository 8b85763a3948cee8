"""The holder's certificate pages, the administrators' queue and dashboard, and the
document itself (paper, scripts, what WeasyPrint may fetch)."""

import io
import json

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Licence
from certification.credentials.signing import verify_credential
from certification.models import Award, Certificate
from certification.services import issuing
from certification.tests.factories import qualified
from core.pdf import render_pdf
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db


def test_the_holder_downloads_shares_and_exports_an_open_badge(client_for):
    certificate = make_certificate()
    client = client_for(certificate.holder)
    page = client.get(reverse("certification:detail", args=[certificate.pk])).content.decode()
    assert certificate.verification_url() in page  # the share link, ready to copy
    assert 'data-copy="share-link"' in page
    download = client.get(reverse("certification:pdf", args=[certificate.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'
    assert b"".join(download.streaming_content) == certificate.pdf.open("rb").read()

    badge = client.get(reverse("certification:badge", args=[certificate.pk]))
    assert badge["Content-Type"] == "application/vc+ld+json"
    assert badge["Content-Disposition"] == f'attachment; filename="{certificate.serial}-open-badge.json"'
    credential = json.loads(badge.content)
    assert credential == certificate.credential  # the signed credential exactly as issued
    assert verify_credential(credential).ok
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["id"] == certificate.verification_url()
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000"  # SITE_URL's host and port
    assert credential["issuer"]["name"] == "Glabella"
    assert credential["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00Z"
    assert credential["validUntil"] == f"{certificate.expires_on.isoformat()}T00:00:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == certificate.course_title
    assert achievement["criteria"]["narrative"]
    assert achievement["description"]
    assert credential["credentialSubject"]["type"] == ["AchievementSubject"]
    # The holder's email is only present hashed.
    assert certificate.holder.email not in badge.content.decode()


def test_another_trainee_gets_404_for_every_certificate_page(client_for, other_trainee):
    certificate = make_certificate()
    client = client_for(other_trainee)
    for name in ("detail", "pdf", "badge"):
        assert client.get(reverse(f"certification:{name}", args=[certificate.pk])).status_code == 404
    assert certificate.serial not in client.get(reverse("certification:list")).content.decode()


def test_a_certificate_still_rendering_has_a_progress_bar_and_nothing_to_download(client_for):
    certificate = make_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(status="rendering")
    client = client_for(certificate.holder)
    page = client.get(reverse("certification:detail", args=[certificate.pk])).content.decode()
    assert 'role="progressbar"' in page
    assert "Rendering the PDF" in page
    assert client.get(reverse("certification:pdf", args=[certificate.pk])).status_code == 404


def test_the_pathway_ends_with_the_certificate(
    instructor, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    enrolment = qualified(instructor, examiner=examiner)
    client = client_for(enrolment.trainee)
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "An administrator reviews the award and issues your certificate" in page
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert f"Certificate {certificate.serial} is valid" in page
    assert reverse("certification:detail", args=[certificate.pk]) in page


def test_the_queue_shows_the_evidence_and_issues_in_bulk_with_a_clear_message_for_a_lapsed_licence(
    instructor, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    ready = qualified(instructor, examiner=examiner)
    lapsed = qualified(instructor, examiner=examiner)
    Licence.objects.filter(holder=lapsed.trainee).update(status=Licence.Status.EXPIRED)
    client = client_for(administrator)
    page = client.get(reverse("certification:staff_queue")).content.decode()
    award = Award.objects.get(enrolment=ready)
    for evidence in (award.licence.number, "90%", "1 signed session", ready.trainee.display_name):
        assert evidence in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certification:staff_issue"), {"awards": [str(a.pk) for a in Award.objects.all()]}, follow=True
        )
    page = response.content.decode()
    assert "1 certificate queued for rendering; it is emailed to its holder when ready." in page
    assert f"{lapsed.trainee.display_name} ({lapsed.course.code}): The holder has no valid licence now" in page
    assert Certificate.objects.get().holder == ready.trainee
    # The lapsed one waits in the queue; the issued one has left it.
    assert [a.enrolment for a in Award.objects.exclude(certificates__isnull=False)] == [lapsed]


def test_issuing_nothing_says_what_to_do(administrator, client_for):
    response = client_for(administrator).post(reverse("certification:staff_issue"), {}, follow=True)
    assert "Tick at least one award to issue." in response.content.decode()


def test_staff_pages_cost_the_same_for_few_and_many_certificates(
    administrator, client_for, django_assert_max_num_queries
):
    client = client_for(administrator)
    make_certificate()
    with django_assert_max_num_queries(12):
        client.get(reverse("certification:staff_queue"))
    for i in range(15):
        make_certificate(email=f"holder{i}@example.com")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("certification:staff_queue")).content.decode()
    assert page.count("GLA-") >= 16
    with django_assert_max_num_queries(12):  # the dashboard: as accounts/tests/test_licence_views.py
        page = client.get(reverse("accounts:admin_dashboard")).content.decode()
    assert "Certificates issued per month" in page
    assert f">{timezone.localdate():%b}</text>" in page


def test_the_monthly_chart_counts_each_month():
    from certification.selectors import certificates_issued_per_month

    make_certificate()
    make_certificate(email="b@example.com")
    rows = certificates_issued_per_month(months=12)
    assert len(rows) == 12
    assert rows[-1] == (timezone.localdate().replace(day=1), 2)
    assert sum(n for _m, n in rows) == 2


# The document ---------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size_pt"), [("a4", (842, 595)), ("letter", (792, 612))])
@pytest.mark.parametrize(
    "name",
    ["Dr Zoë Ångström-Nuñez", "王小明", "山田 太郎", "Δρ. Ελένη Παπαδοπούλου", "Др. Иван Петров", "د. ليلى حداد"],
)
def test_names_in_any_script_print_on_one_landscape_page(paper, size_pt, name):
    from certification.documents import certificate_pdf

    certificate = make_certificate(name=name, email=f"{paper}-{abs(hash(name))}@example.com")
    certificate.paper = paper
    reader = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size_pt
    text = reader.pages[0].extract_text()
    # The glyphs came from a font that has them, so the text extracts as written. Arabic
    # is laid out right to left, so its letters are compared rather than their order.
    if "\u0600" <= name[0] <= "\u06ff":
        assert set(name.replace(" ", "")) <= set(text)
    else:
        assert name in text


def test_the_renderer_fetches_nothing_outside_the_static_files(tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PATIENT-DATA")
    html = (
        engines["django"]
        .from_string(
            "<html><body><p>Visible</p>"
            '<img src="file://{{ secret }}"><img src="http://example.com/tracker.png">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            '<iframe src="file://{{ secret }}"></iframe>'
            '<object data="file://{{ secret }}"></object>'
            '<img src="../../../etc/hostname">'
            "</body></html>"
        )
        .render({"secret": secret})
    )
    pdf = render_pdf(html)  # fails safely: the page renders, the resources do not
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Visible" in text
    assert "TOP-SECRET" not in text
    assert b"TOP-SECRET" not in pdf
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert "may only load the project's static files" in refused


def test_only_the_most_specific_menu_link_is_marked_current(administrator, client_for):
    page = client_for(administrator).get(reverse("certification:staff_queue")).content.decode()
    assert page.count('aria-current="page"') == 1
    assert f'<a href="{reverse("certification:staff_queue")}" aria-current="page">' in page
