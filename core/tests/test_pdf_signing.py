"""A PAdES signature on certificate PDFs: what a PDF reader (poppler's pdfsig) and a
signature validator (pyHanko's) say of it, and that the PDF/A it signs stays as it was."""

import io
import subprocess
import warnings

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from certification.badges import open_badge
from certification.documents import certificate_pdf, credential_in_pdf
from core.pdf_signing import pdf_sign, self_signed_files
from tests.support.certificates import make_certificate

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing(settings, tmp_path):
    key_file, cert_file = self_signed_files(tmp_path / "keys")
    settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    return key_file, cert_file


def pdfsig(content: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False).stdout


def validated(content: bytes, cert_file):
    (signature,) = PdfFileReader(io.BytesIO(content)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_file))])
    return validate_pdf_signature(signature, context)


def test_without_a_key_the_pdf_is_not_signed(tmp_path):
    content = certificate_pdf(make_certificate())
    assert "does not contain any signatures" in pdfsig(content, tmp_path)


def test_a_pdf_reader_shows_the_certificate_signed_by_glabella(signing, tmp_path):
    _key_file, cert_file = signing
    certificate = make_certificate()
    content = certificate_pdf(certificate, credential=open_badge(certificate))
    report = pdfsig(content, tmp_path)
    assert "Signer Certificate Common Name: Glabella" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, timeout=60, check=True).stdout
    assert b"PDF version:     1.7" in info  # still PDF/A-3's version with an ECDSA key
    status = validated(content, cert_file)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage.name == "ENTIRE_FILE"


def test_signing_leaves_the_pdfa_and_its_credential_as_they_were(signing):
    certificate = make_certificate()
    credential = open_badge(certificate)
    content = certificate_pdf(certificate, credential=credential)
    reader = PdfReader(io.BytesIO(content))
    info, xmp = reader.metadata, reader.xmp_metadata
    assert info["/Producer"] == xmp.pdf_producer == "WeasyPrint 70.0"  # PDF/A: the two agree
    assert info["/ModDate"] == info["/CreationDate"]
    catalog = reader.trailer["/Root"]
    assert catalog.get("/Version", "/1.7") == "/1.7"
    assert set(catalog["/Extensions"]) == {"/ESIC"}  # PAdES on PDF 1.7
    assert xmp.dc_title == {"x-default": f"Certificate {certificate.serial} — {certificate.holder_name}"}
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert len(reader.trailer["/Root"]["/AF"]) == 1
    assert credential_in_pdf(content) is not None


def test_one_byte_changed_after_signing_breaks_the_signature(signing):
    _key_file, cert_file = signing
    content = certificate_pdf(make_certificate())
    # The holder's name is in a compressed stream; any byte of the signed range will do.
    middle = len(content) // 3
    altered = content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :]
    assert validated(altered, cert_file).intact is False


def test_a_key_that_does_not_match_its_certificate_is_refused(settings, tmp_path):
    key_file, _cert_file = self_signed_files(tmp_path / "a")
    _other_key, other_cert = self_signed_files(tmp_path / "b")
    settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE = str(key_file), str(other_cert)
    with pytest.raises(ImproperlyConfigured, match="not the key of the certificate"):
        pdf_sign(b"%PDF-1.7", reason="test", location="here")
    settings.PDF_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        pdf_sign(b"%PDF-1.7", reason="test", location="here")


def test_a_key_with_a_passphrase(settings, tmp_path):
    key_file, cert_file = self_signed_files(tmp_path / "keys", passphrase="correct horse")
    settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    settings.PDF_SIGNING_KEY_PASSPHRASE = "correct horse"
    content = certificate_pdf(make_certificate())
    assert validated(content, cert_file).valid


def test_the_command_writes_a_key_once_and_prints_the_settings(tmp_path, settings):
    out = io.StringIO()
    call_command("pdf_signing_key", str(tmp_path / "keys"), stdout=out)
    key_file, cert_file = tmp_path / "keys" / "pdf-signing.key", tmp_path / "keys" / "pdf-signing.crt"
    assert out.getvalue().split() == [f"PDF_SIGNING_KEY_FILE={key_file}", f"PDF_SIGNING_CERT_FILE={cert_file}"]
    assert key_file.stat().st_mode & 0o077 == 0  # the key is its owner's only
    before = key_file.read_bytes()
    with pytest.raises(CommandError, match="a key is never overwritten"):
        call_command("pdf_signing_key", str(tmp_path / "keys"))
    call_command("pdf_signing_key", str(tmp_path / "keys"), "--if-missing")
    assert key_file.read_bytes() == before
    settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    assert validated(certificate_pdf(make_certificate()), cert_file).valid
