"""The certificate PDF as a reader, an archive and a verifier see it: PDF/A-3b, tagged, with
its metadata, every font embedded, and its credential inside as an associated file."""

import datetime
import io
import json
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from certification.badges import open_badge
from certification.documents import certificate_pdf, credential_in_pdf
from tests.support.certificates import make_certificate
from tests.support.files import pdf_text, qr_codes_on_first_page

pytestmark = pytest.mark.django_db

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


@pytest.fixture
def rendered(tmp_path):
    """(certificate, the credential given, the PDF's bytes, its path, when it was rendered)."""
    certificate = make_certificate()
    credential = open_badge(certificate)
    began = timezone.now().replace(microsecond=0)
    content = certificate_pdf(certificate, credential=credential)
    path = tmp_path / f"{certificate.serial}.pdf"
    path.write_bytes(content)
    return certificate, credential, content, path, began


def poppler(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def pdfinfo(path) -> dict[str, str]:
    lines = poppler("pdfinfo", "-isodates", str(path)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def test_pdfinfo_reads_a_tagged_pdf_1_7_titled_by_the_issuer(rendered):
    certificate, _credential, _content, path, began = rendered
    info = pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"  # as WeasyPrint writes PDF/A-3
    assert info["Title"] == f"Certificate {certificate.serial} — {certificate.holder_name}"
    assert info["Author"] == "Glabella"
    assert info["Subject"] == certificate.course_title
    assert info["Metadata Stream"] == "yes"
    assert (info["Encrypted"], info["JavaScript"], info["Pages"]) == ("no", "no", "1")
    created = datetime.datetime.fromisoformat(info["CreationDate"])
    assert began <= created <= timezone.now()


def test_the_xmp_says_pdfa_3b_with_title_creator_and_creation_date(rendered):
    certificate, _credential, content, _path, began = rendered
    reader = PdfReader(io.BytesIO(content))
    xmp = reader.xmp_metadata
    assert xmp.dc_title == {"x-default": f"Certificate {certificate.serial} — {certificate.holder_name}"}
    assert xmp.dc_creator == ["Glabella"]
    assert xmp.dc_description == {"x-default": certificate.course_title}
    assert began <= xmp.xmp_create_date.replace(tzinfo=datetime.UTC) <= timezone.now()
    ids = [
        (d.getAttributeNS(PDFAID, "part"), d.getAttributeNS(PDFAID, "conformance"))
        for d in xmp.rdf_root.getElementsByTagNameNS(RDF, "Description")
        if d.hasAttributeNS(PDFAID, "part")
    ]
    assert ids == [("3", "B")]


def test_what_pdfa_asks_of_the_file_itself(rendered):
    """The clauses a PDF/A validator checks that apply to this document: the language, an
    sRGB output intent, a file identifier, a structure tree, every font embedded."""
    _certificate, _credential, content, path, _began = rendered
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    (intent,) = [i.get_object() for i in catalog["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    assert "sRGB" in intent["/OutputConditionIdentifier"]
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3
    assert len(reader.trailer["/ID"]) == 2
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in catalog
    fonts = poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "the certificate's text uses fonts"
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column


def test_the_credential_travels_as_an_associated_file(rendered, tmp_path):
    certificate, credential, content, path, _began = rendered
    assert poppler("pdfdetach", "-list", str(path)).splitlines() == ["1 embedded files", "1: credential.json"]
    saved = tmp_path / "saved.json"
    poppler("pdfdetach", "-save", "1", "-o", str(saved), str(path))
    assert json.loads(saved.read_text()) == credential
    assert credential_in_pdf(content) == saved.read_bytes()

    # PDF/A-3: referenced from the catalogue's /AF, with its relationship, MIME type and dates.
    catalog = PdfReader(io.BytesIO(content)).trailer["/Root"]
    (spec,) = [f.get_object() for f in catalog["/AF"]]
    assert spec["/AFRelationship"] == "/Data"
    assert (spec["/F"], spec["/UF"]) == ("credential.json", "credential.json")
    assert certificate.serial in spec["/Desc"]
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/vc+ld+json"
    assert stream["/Params"]["/ModDate"].startswith("D:20")


def test_a_certificate_without_a_credential_embeds_nothing():
    content = certificate_pdf(make_certificate())
    reader = PdfReader(io.BytesIO(content))
    assert list(reader.attachments) == []
    assert "/AF" not in reader.trailer["/Root"]
    assert credential_in_pdf(content) is None


def test_the_text_and_the_qr_code_still_read(rendered):
    certificate, _credential, content, _path, _began = rendered
    text = pdf_text(content)
    for shown in (
        certificate.holder_name,
        certificate.serial,
        certificate.course_title,
        certificate.issued_on.strftime("%-d %B %Y"),
        certificate.expires_on.strftime("%-d %B %Y"),
    ):
        assert shown in text
    assert qr_codes_on_first_page(content) == [certificate.verification_url()]
