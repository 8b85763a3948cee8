"""Status lists under concurrency, on PostgreSQL: parallel issues never draw the same
position, and parallel revocations in one list lose no bit."""

import threading
from unittest import mock

from django.db import connection

from accounts.tests.factories import AdministratorFactory
from certification.models import Certificate, StatusList
from certification.services import issuing, lifecycle, status_lists
from certification.tests.factories import AwardFactory
from tests.support.certificates import make_certificate

RACERS = 12


def race(work, items):
    """Run ``work(item)`` for every item at once, each in its own thread and connection;
    returns the exceptions raised."""
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(item):
        try:
            barrier.wait()
            work(item)
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


class Draws(threading.local):
    """Every thread draws 0, 1, 2, ... : all racers want the same indexes at once, which
    random draws from 131,072 would almost never make them do."""

    def __init__(self):
        self.next = 0

    def randbelow(self, _limit):
        self.next += 1
        return self.next - 1


def test_parallel_issues_never_share_a_position(postgres, transactional_db):
    administrator = AdministratorFactory()
    awards = AwardFactory.create_batch(RACERS)
    with mock.patch.object(issuing, "render_enqueue"), mock.patch.object(status_lists, "secrets", Draws()):
        errors = race(lambda award: issuing.certificate_issue(award_id=award.pk, actor=administrator), awards)
    assert errors == []
    positions = list(Certificate.objects.values_list("status_list_id", "status_index"))
    assert len(positions) == RACERS
    assert len(set(positions)) == RACERS
    assert sorted(index for _list, index in positions) == list(range(RACERS))
    assert StatusList.objects.get().allocated == RACERS


def test_parallel_revocations_in_one_list_lose_no_bit(postgres, transactional_db):
    administrator = AdministratorFactory()
    certificates = [make_certificate(email=f"racer{n}@example.com") for n in range(RACERS)]
    assert len({c.status_list_id for c in certificates}) == 1
    with mock.patch.object(lifecycle, "email_queue"):
        errors = race(
            lambda c: lifecycle.certificate_revoke(certificate_id=c.pk, actor=administrator, reason="Fraud"),
            certificates,
        )
    assert errors == []
    status_list = StatusList.objects.get()
    assert all(status_list.bit("revocation", c.status_index) for c in certificates)
    assert status_list.revocation_version == 1 + RACERS
    assert sum(bin(byte).count("1") for byte in status_list.bitstring("revocation")) == RACERS
