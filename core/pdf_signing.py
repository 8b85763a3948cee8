"""A PAdES signature on a PDF (pyHanko), so that PDF readers show it as signed by the
issuer and any change made after it as breaking the signature.

The key and certificate are files named by ``PDF_SIGNING_KEY_FILE`` and
``PDF_SIGNING_CERT_FILE`` (the certificate file may hold its chain after it); when either is
unset, ``pdf_sign`` returns the PDF as it is. The signature is an incremental update
(PAdES baseline B-B: a detached CMS signature, ETSI.CAdES.detached, SHA-256, no timestamp
authority), an invisible signature field over the whole file as it stood; the document, its
metadata and its embedded files are left as they were, so a PDF/A stays PDF/A.
"""

from __future__ import annotations

import datetime
import functools
import io
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

with warnings.catch_warnings():
    # pyHanko imports cryptography's DSA module, which warns on import.
    warnings.simplefilter("ignore")
    from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "Glabella"
# Room for the CMS signature beyond the certificates it carries: signed attributes, the
# signature value (512 bytes for RSA-4096) and DER overhead. Reserving it avoids pyHanko's
# estimate, which signs a dummy first (about half of the cost of signing).
SIGNATURE_ROOM = 4096


class _UnchangedDocumentWriter(IncrementalPdfFileWriter):
    """Adds the signature and nothing else: a signature is an addition to the document, not
    a new version of it. The document information and XMP metadata stay as they were
    (pyHanko would rewrite the producer differently in each, which PDF/A forbids), and so
    does the PDF version: PDF/A-3 is PDF 1.7, and pyHanko would declare PDF 2.0 and ISO/TS
    32002 for an ECDSA key, which PDF 1.7 readers verify all the same (PAdES allows ECDSA
    with the ESIC extension it keeps). Hooks of pyHanko 0.38, pinned in requirements.txt;
    core/tests/test_pdf_signing.py checks the version and the metadata."""

    def _update_meta(self):
        pass

    def ensure_output_version(self, version):
        super().ensure_output_version(min(version, (1, 7)))

    def register_extension(self, ext):
        if ext.base_version == "/1.7":
            super().register_extension(ext)


def signing_configured() -> bool:
    return bool(settings.PDF_SIGNING_KEY_FILE and settings.PDF_SIGNING_CERT_FILE)


@functools.cache
def _signer(key_file: str, cert_file: str, passphrase: str) -> signers.SimpleSigner:
    """The signer for these files (the certificate first in its file, then its chain),
    loaded once per process."""
    try:
        certificates = list(load_certs_from_pemder([cert_file]))
        key = load_private_key_from_pemder(key_file, passphrase=passphrase.encode() or None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"The PDF signing key or certificate cannot be read: {error}") from None
    if not certificates:
        raise ImproperlyConfigured(f"PDF_SIGNING_CERT_FILE {cert_file} holds no certificate")
    public = serialization.load_der_private_key(key.dump(), password=None).public_key()
    if public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) != certificates[0].public_key.dump():
        raise ImproperlyConfigured("PDF_SIGNING_KEY_FILE is not the key of the certificate in PDF_SIGNING_CERT_FILE")
    return signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(certificates[1:]),
    )


def pdf_sign(content: bytes, *, reason: str, location: str) -> bytes:
    """``content`` signed with the configured key, or unchanged if none is configured.
    Raises ImproperlyConfigured if the configured files cannot be read (a PDF is not
    issued unsigned by mistake)."""
    if not signing_configured():
        return content
    signer = _signer(settings.PDF_SIGNING_KEY_FILE, settings.PDF_SIGNING_CERT_FILE, settings.PDF_SIGNING_KEY_PASSPHRASE)
    carried = sum(len(certificate.dump()) for certificate in signer.cert_registry) + len(signer.signing_cert.dump())
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = _UnchangedDocumentWriter(io.BytesIO(content))
    signed = signers.PdfSigner(metadata, signer).sign_pdf(writer, bytes_reserved=2 * (carried + SIGNATURE_ROOM))
    return signed.getvalue()


def self_signed_files(
    folder: Path, *, common_name: str = "Glabella", passphrase: str = "", days: int = 825
) -> tuple[Path, Path]:
    """Write a new EC P-256 key and a self-signed certificate for it (digital signature and
    non-repudiation) to ``folder``: (key file, certificate file), the key readable by its
    owner only. For the demo and for trying signing out: a PDF reader shows such a signature
    as valid but its signer as unknown; production uses a certificate from a CA the readers
    trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Glabella"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_file, cert_file = folder / "pdf-signing.key", folder / "pdf-signing.crt"
    key_file.touch(mode=0o600)
    key_file.write_bytes(key.private_bytes(Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    cert_file.write_bytes(certificate.public_bytes(Encoding.PEM))
    return key_file, cert_file
