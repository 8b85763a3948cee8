"""Name change requests racing on PostgreSQL: one open request per trainee however many
are sent at once, and one decision per request however many administrators press."""

from accounts import services
from accounts.models import NameChangeRequest, User
from accounts.tests.factories import AdministratorFactory, LicenceFactory, NameChangeRequestFactory, TraineeFactory
from core.models import AuditEvent
from tests.support.concurrency import outcomes_together


def test_eight_requests_at_once_leave_one_open(postgres, transactional_db):
    trainee = TraineeFactory(legal_name="Ada Trainee")
    LicenceFactory(holder=trainee, verified=True)
    calls = [
        lambda i=i: services.name_change_request_submit(
            user=User.objects.get(pk=trainee.pk), requested_name=f"Ada Trainee {i}", reason="marriage"
        )
        for i in range(8)
    ]
    outcomes = outcomes_together(calls)
    assert outcomes.count("ok") == 1
    assert outcomes.count(str(services.MSG_NAME_CHANGE_OPEN)) == 7
    assert NameChangeRequest.objects.filter(user=trainee, status="pending").count() == 1
    assert AuditEvent.objects.filter(action="name_change.requested").count() == 1


def test_two_administrators_deciding_at_once_make_one_decision(postgres, transactional_db):
    trainee = TraineeFactory(legal_name="Ada Trainee")
    LicenceFactory(holder=trainee, verified=True)
    change = NameChangeRequestFactory(user=trainee, requested_name="Ada Okoro")
    first, second = AdministratorFactory(), AdministratorFactory()
    outcomes = outcomes_together(
        [
            lambda: services.name_change_approve(request_id=change.pk, actor=first),
            lambda: services.name_change_reject(request_id=change.pk, actor=second, reason="Unclear scan"),
        ]
    )
    assert outcomes.count("ok") == 1
    change.refresh_from_db()
    trainee.refresh_from_db()
    decided = AuditEvent.objects.filter(action__in=["name_change.approved", "name_change.rejected"])
    assert decided.count() == 1
    assert trainee.legal_name == ("Ada Okoro" if change.status == "approved" else "Ada Trainee")
