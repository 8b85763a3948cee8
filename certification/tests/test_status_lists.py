"""W3C Bitstring Status Lists: each certificate's position, the bits each state change
flips (read back from the served, decoded list as an outside verifier reads them), the
encoding, the served credential's caching, and our own verifier's check."""

import base64
import datetime
import gzip
import json
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Licence
from certification.credentials import status
from certification.models import STATUS_LIST_SIZE, Certificate, StatusList
from certification.services import issuing, lifecycle, rendering, status_lists
from certification.tests.factories import AwardFactory, CertificateFactory
from tests.support.certificates import make_certificate
from tests.support.status_lists import served_bit, served_list

pytestmark = pytest.mark.django_db

REVOCATION, SUSPENSION = "revocation", "suspension"
# The example list in the spec (section "BitstringStatusListCredential"): checked by hand
# that it is GZIP of 16 KiB of zero bytes, the spec's minimum of 131,072 entries.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def list_path(number, purpose):
    return reverse("certification:status_list", args=[number, purpose])


# The encoding ---------------------------------------------------------------------------


def test_the_spec_example_decodes_to_131072_clear_bits():
    bits = status.decode_bitstring(SPEC_EXAMPLE)
    assert len(bits) * 8 == 131_072
    assert not any(bits)
    assert status.bit_at(SPEC_EXAMPLE, 0) is False
    assert status.bit_at(SPEC_EXAMPLE, 131_071) is False
    with pytest.raises(IndexError):
        status.bit_at(SPEC_EXAMPLE, 131_072)


def test_encoding_is_u_base64url_of_gzip_with_the_first_index_the_leftmost_bit():
    bits = bytearray(STATUS_LIST_SIZE // 8)
    bits[0] = 0b1000_0000  # index 0
    bits[1] = 0b0100_0000  # index 9
    bits[-1] = 0b0000_0001  # the last index
    encoded = status.encode_bitstring(bytes(bits))
    assert encoded.startswith("u")
    assert not set(encoded) & set("=+/")
    body = encoded[1:]
    assert gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) == bytes(bits)
    set_indexes = [i for i in range(STATUS_LIST_SIZE) if status.bit_at(encoded, i)]
    assert set_indexes == [0, 9, STATUS_LIST_SIZE - 1]
    # All clear encodes to the same bits as the spec's example (GZIP bytes may differ).
    assert status.decode_bitstring(status.encode_bitstring(bytes(STATUS_LIST_SIZE // 8))) == (
        status.decode_bitstring(SPEC_EXAMPLE)
    )


@pytest.mark.parametrize(
    "encoded",
    ["", "H4sIAAAA", "u!!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
     "u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 1024 * 1024))).decode().rstrip("=")],
)  # fmt: skip
def test_what_is_not_an_encoded_list_is_refused(encoded):
    with pytest.raises(ValueError):  # noqa: PT011 (the message varies with the fault)
        status.decode_bitstring(encoded)


# Positions ------------------------------------------------------------------------------


def test_issue_draws_a_random_position_and_the_entries_point_at_both_lists(administrator, settings):
    settings.SITE_URL = "https://glabella.example"
    awards = AwardFactory.create_batch(3)
    with mock.patch.object(issuing, "render_enqueue"):
        certificates = [issuing.certificate_issue(award_id=a.pk, actor=administrator) for a in awards]
    indexes = [c.status_index for c in certificates]
    assert len(set(indexes)) == 3
    assert indexes != sorted(indexes) or max(indexes) > 2  # drawn at random, not 0, 1, 2
    assert StatusList.objects.get().allocated == 3

    certificate = certificates[0]
    n, i = certificate.status_list.number, certificate.status_index
    assert status.status_entries(certificate) == [
        {
            "id": f"https://glabella.example/credentials/status/{n}/revocation#{i}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(i),
            "statusListCredential": f"https://glabella.example/credentials/status/{n}/revocation",
        },
        {
            "id": f"https://glabella.example/credentials/status/{n}/suspension#{i}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": str(i),
            "statusListCredential": f"https://glabella.example/credentials/status/{n}/suspension",
        },
    ]


def test_a_position_is_unique_in_its_list():
    first = make_certificate()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(status_list=first.status_list, status_index=first.status_index)


def test_a_full_list_opens_the_next_one():
    first = make_certificate()
    StatusList.objects.filter(pk=first.status_list_id).update(allocated=STATUS_LIST_SIZE)
    second = make_certificate(email="second@example.com")
    assert (first.status_list.number, second.status_list.number) == (1, 2)
    assert second.status_list.size == STATUS_LIST_SIZE


def test_when_random_draws_keep_missing_a_free_index_is_picked_from_those_left(monkeypatch):
    monkeypatch.setattr(status_lists, "RANDOM_DRAWS", 0)
    first, second = make_certificate(), make_certificate(email="second@example.com")
    assert first.status_list_id == second.status_list_id
    assert first.status_index != second.status_index


# Bits per state change, read from the served list ---------------------------------------


def test_revoking_sets_the_revocation_bit_only(client, administrator):
    certificate = make_certificate()
    other = make_certificate(email="other@example.com")
    assert served_bit(client, certificate, REVOCATION) is False
    lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Obtained by fraud")
    assert served_bit(client, certificate, REVOCATION) is True
    assert served_bit(client, certificate, SUSPENSION) is False
    assert served_bit(client, other, REVOCATION) is False


def test_a_rolled_back_revocation_leaves_the_bit_clear(client, administrator):
    certificate = make_certificate()
    assert served_bit(client, certificate, REVOCATION) is False

    class Abort(Exception):
        pass

    def revoke_then_fail():
        with transaction.atomic():
            lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Mistake")
            assert served_bit(client, certificate, REVOCATION) is True  # in the same transaction
            raise Abort

    with pytest.raises(Abort):
        revoke_then_fail()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert served_bit(client, certificate, REVOCATION) is False


def test_reissuing_revokes_the_old_one_in_the_list_and_its_page_names_the_new(client, administrator):
    old = make_certificate()
    with mock.patch.object(lifecycle, "render_enqueue"):
        new = lifecycle.certificate_reissue(certificate_id=old.pk, actor=administrator, reason="Name corrected")
    assert served_bit(client, old, REVOCATION) is True
    assert served_bit(client, new, REVOCATION) is False
    assert served_bit(client, new, SUSPENSION) is False
    assert (new.status_list_id, new.status_index) != (old.status_list_id, old.status_index)

    page = client.get(reverse("certification:verify", args=[old.code])).content.decode()
    assert "Superseded certificate" in page
    assert new.serial not in page  # still being rendered: nothing public about it yet
    assert "Ask the holder for the current certificate." in page

    Certificate.objects.filter(pk=new.pk).update(status=Certificate.Status.ISSUED, pdf_sha256="a" * 64)
    page = client.get(reverse("certification:verify", args=[old.code])).content.decode()
    assert f"It was replaced by certificate {new.serial}" in page
    assert reverse("certification:verify", args=[new.code]) in page


def test_a_licence_lapse_sets_the_suspension_bit_and_reverification_clears_it(
    client, administrator, django_capture_on_commit_callbacks
):
    certificate = make_certificate()
    licence = certificate.holder.licences.get()
    account_services.licence_revoke(licence_id=licence.pk, actor=administrator, reason="Regulator suspended it")
    assert served_bit(client, certificate, SUSPENSION) is True
    assert served_bit(client, certificate, REVOCATION) is False

    renewed = Licence.objects.create(
        holder=certificate.holder, profession=licence.profession, number="NEW-7",
        jurisdiction=licence.jurisdiction, expires_on=timezone.localdate() + datetime.timedelta(days=500),
        document=licence.document, document_content_type=licence.document_content_type,
    )  # fmt: skip
    account_services.licence_verify(licence_id=renewed.pk, actor=administrator)
    assert served_bit(client, certificate, SUSPENSION) is False


def test_a_certificate_rendered_after_its_licence_lapsed_is_suspended_in_the_list(client, administrator):
    award = AwardFactory()
    with mock.patch.object(issuing, "render_enqueue"):
        certificate = issuing.certificate_issue(award_id=award.pk, actor=administrator)
    Licence.objects.filter(holder=award.trainee).update(expires_on=timezone.localdate())
    with mock.patch("certification.documents.certificate_pdf", return_value=b"%PDF-1.7 stand-in"):
        assert rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.suspended_at is not None
    assert served_bit(client, certificate, SUSPENSION) is True


def test_expiry_is_not_a_bit(client):
    certificate = make_certificate()
    lifecycle.certificates_expire(today=certificate.expires_on)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED
    assert served_bit(client, certificate, REVOCATION) is False
    assert served_bit(client, certificate, SUSPENSION) is False


# The served credential ------------------------------------------------------------------


def test_the_list_credential_says_what_the_spec_asks(client, settings):
    settings.SITE_URL = "https://glabella.example:8443"
    certificate = make_certificate()
    document = served_list(client, certificate, SUSPENSION)
    url = f"https://glabella.example:8443/credentials/status/{certificate.status_list.number}/suspension"
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["id"] == url
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == "did:web:glabella.example%3A8443"
    valid_from = datetime.datetime.fromisoformat(document["validFrom"])
    valid_until = datetime.datetime.fromisoformat(document["validUntil"])
    assert abs(valid_from - timezone.now()) < datetime.timedelta(minutes=1)
    assert valid_until - valid_from == datetime.timedelta(hours=24)
    subject = document["credentialSubject"]
    assert subject["id"] == f"{url}#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "suspension"
    assert subject["ttl"] == 300_000
    assert len(status.decode_bitstring(subject["encodedList"])) * 8 == STATUS_LIST_SIZE


def test_caching_headers_etag_and_304(client):
    certificate = make_certificate()
    path = list_path(certificate.status_list.number, REVOCATION)
    first = client.get(path)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vc+ld+json"
    assert first["Cache-Control"] == "public, max-age=300"
    etag = first["ETag"]
    assert etag[0] == etag[-1] == '"'

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200

    lifecycle.certificate_revoke(
        certificate_id=certificate.pk, actor=make_certificate(email="x@example.com").holder, reason="Fraud"
    )
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_list_is_signed_once_per_version(client, administrator):
    certificate = make_certificate()
    path = list_path(certificate.status_list.number, REVOCATION)
    with mock.patch.object(status, "sign_credential", side_effect=lambda d: {**d, "proof": "signed"}) as sign:
        bodies = [client.get(path).content for _ in range(3)]
        assert sign.call_count == 1
        assert len(set(bodies)) == 1
        assert json.loads(bodies[0])["proof"] == "signed"
        lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Fraud")
        client.get(path)
        client.get(path)
        assert sign.call_count == 2


def test_a_signed_list_near_the_end_of_its_validity_is_signed_again(client):
    certificate = make_certificate()
    number = certificate.status_list.number
    now = timezone.now()
    first = status.signed_status_list(number, REVOCATION, now=now)
    assert status.signed_status_list(number, REVOCATION, now=now + datetime.timedelta(hours=11)) == first
    later = status.signed_status_list(number, REVOCATION, now=now + datetime.timedelta(hours=13))
    assert later != first
    assert later.valid_until > first.valid_until


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_unknown_lists_and_purposes_are_404(client, purpose):
    certificate = make_certificate()
    assert client.get(list_path(certificate.status_list.number + 1, purpose)).status_code == 404
    assert client.get(list_path(certificate.status_list.number, "refresh")).status_code == 404
    assert client.post(list_path(certificate.status_list.number, purpose)).status_code == 405


def test_the_list_view_costs_one_query_whatever_the_number_of_certificates(client, django_assert_num_queries):
    certificates = []
    for total in (5, 40):
        while len(certificates) < total:
            certificates.append(make_certificate(email=f"h{len(certificates)}@example.com"))
        path = list_path(certificates[0].status_list.number, REVOCATION)
        for _ in range(2):  # the first signs, the second comes from the cache
            with django_assert_num_queries(1):
                assert client.get(path).status_code == 200


# Our verifier's check -------------------------------------------------------------------


def test_status_for_entry_reads_our_lists_without_http(administrator):
    certificate = make_certificate()
    revocation, suspension = status.status_entries(certificate)
    assert status.status_for_entry(revocation) == (False, "The credential has not been revoked.")
    assert status.status_for_entry(suspension) == (False, "The credential is not suspended.")
    lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Fraud")
    assert status.status_for_entry(revocation) == (True, "The credential has been revoked.")


def test_status_for_entry_answers_unknown_for_other_urls_missing_lists_and_bad_entries(settings):
    certificate = make_certificate()
    entry = status.status_entries(certificate)[0]
    unfetchable = (None, "The status list cannot be fetched.")
    malformed = (None, "The credential's status entry is malformed.")
    number = certificate.status_list.number
    cases = {
        "https://evil.example/credentials/status/1/revocation": unfetchable,
        settings.SITE_URL + f"/credentials/status/{number + 5}/revocation": unfetchable,
        settings.SITE_URL + "/verify/": unfetchable,
        settings.SITE_URL + f"/credentials/status/{number}/revocation?x=1": unfetchable,
    }
    for url, expected in cases.items():
        assert status.status_for_entry({**entry, "statusListCredential": url}) == expected, url
    assert status.status_for_entry({**entry, "statusPurpose": "suspension"}) == (
        None,
        "The status list's purpose does not match the status entry.",
    )
    assert status.status_for_entry({**entry, "statusListIndex": str(STATUS_LIST_SIZE)}) == (
        None,
        "The status index is outside the status list.",
    )
    for bad in ({**entry, "statusListIndex": 5}, {**entry, "statusListIndex": "-1"}, {**entry, "type": "X"}, "x"):
        assert status.status_for_entry(bad) == malformed


def test_status_for_entry_refuses_a_list_past_its_validity():
    certificate = make_certificate()
    entry = status.status_entries(certificate)[0]
    signed_at = timezone.now()
    status.signed_status_list(certificate.status_list.number, REVOCATION, now=signed_at)
    with mock.patch.object(status, "RESIGN_BEFORE", datetime.timedelta(hours=-48)):
        verdict = status.status_for_entry(entry, now=signed_at + datetime.timedelta(hours=25))
    assert verdict == (None, "The status list is no longer valid.")


# Administrators -------------------------------------------------------------------------


def test_the_staff_page_shows_the_position_and_current_bits(client_for, administrator):
    certificate = make_certificate()
    lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Fraud")
    page = client_for(administrator).get(reverse("certification:staff_detail", args=[certificate.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"List {certificate.status_list.number}, index {certificate.status_index}" in text
    revocation = text.split("<dt>Revocation</dt>", 1)[1].split("</dd>", 1)[0]
    suspension = text.split("<dt>Suspension</dt>", 1)[1].split("</dd>", 1)[0]
    assert ">set<" in revocation
    assert ">clear<" in suspension
    assert "Does not match" not in text


def test_the_staff_page_flags_a_bit_that_disagrees_with_the_record(client_for, administrator):
    certificate = make_certificate()
    status_lists.status_bit_set(
        status_list_id=certificate.status_list_id, index=certificate.status_index, purpose=SUSPENSION, value=True
    )
    text = client_for(administrator).get(reverse("certification:staff_detail", args=[certificate.pk])).content
    assert "Does not match the certificate's record." in text.decode()


def test_positions_drawn_in_bulk_are_unused_and_fill_into_the_next_list():
    first = make_certificate()
    StatusList.objects.filter(pk=first.status_list_id).update(allocated=STATUS_LIST_SIZE - 2)
    positions = status_lists.status_positions_allocate(5)
    assert [p[0].number for p in positions].count(1) == 2
    assert [p[0].number for p in positions].count(2) == 3
    assert (first.status_list_id, first.status_index) not in {(p[0].pk, p[1]) for p in positions}
    assert len({(p[0].pk, p[1]) for p in positions}) == 5
    assert list(StatusList.objects.values_list("allocated", flat=True)) == [STATUS_LIST_SIZE, 3]


def test_the_migration_gives_existing_certificates_positions_and_their_bits(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    # given certificates made before status lists: one issued, one revoked, one suspended
    issued, revoked, suspended = (make_certificate(email=f"m{n}@example.com") for n in range(3))
    Certificate.objects.filter(pk=revoked.pk).update(
        status=Certificate.Status.REVOKED, revoked_at=timezone.now(), revocation_reason="Fraud"
    )
    Certificate.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    executor = MigrationExecutor(connection)
    mine = next(
        key for key in executor.loader.graph.nodes if key[0] == "certification" and key[1].endswith("_status_lists")
    )
    before = next(p.key for p in executor.loader.graph.node_map[mine].parents if p.key[0] == "certification")
    # when the migration runs on them
    executor.migrate([before])
    executor = MigrationExecutor(connection)
    executor.migrate([mine])
    # (and the later migrations, so today's models can read the rows)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then each has a distinct position and the bits its record calls for
    certificates = {c.pk: c for c in Certificate.objects.select_related("status_list")}
    assert len({(c.status_list_id, c.status_index) for c in certificates.values()}) == 3
    status_list = StatusList.objects.get()
    assert status_list.allocated == 3

    def bits(certificate):
        c = certificates[certificate.pk]
        return status_list.bit(REVOCATION, c.status_index), status_list.bit(SUSPENSION, c.status_index)

    assert bits(issued) == (False, False)
    assert bits(revoked) == (True, False)
    assert bits(suspended) == (False, True)
