import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AdministratorFactory, UserFactory, add_totp
from tests.support.auth import PASSWORD, current_code, sign_in

pytestmark = pytest.mark.django_db


def test_signup_requires_email_verification_then_lands_on_the_trainee_dashboard(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "New.Person@Example.com",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.com")
    assert user.is_trainee
    assert not user.is_administrator
    # Not signed in until the address is confirmed.
    assert client.get(reverse("accounts:trainee_dashboard")).status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:trainee_dashboard")
    assert response.status_code == 200


def test_signup_does_not_reveal_that_an_email_is_registered(client, trainee, django_capture_on_commit_callbacks):
    data = {"email": trainee.email, "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=trainee.email).count() == 1


@pytest.mark.parametrize("role", ["is_administrator", "is_examiner"])
def test_admins_and_examiners_must_set_up_a_second_factor_first(client, role):
    user = UserFactory(is_trainee=False, **{role: True, "is_staff": role == "is_administrator"})
    sign_in(client, user.email)
    for url in (
        "/dashboard/",
        reverse("accounts:admin_dashboard"),
        reverse("accounts:examiner_dashboard"),
        "/admin/",
    ):
        response = client.get(url, follow=True)
        # Setting up a factor asks for the password once more (allauth's reauthentication).
        assert (
            response.redirect_chain[-1][0] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
        ), url
        assert "Your role needs a second factor." in response.content.decode()
    response = client.post(
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
        {"password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert "Authenticator secret" in response.content.decode()


def test_a_required_second_factor_cannot_be_removed(client_for, administrator):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=administrator, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(authenticator) is False


def test_trainees_and_instructors_are_not_asked_for_a_second_factor(client_for, instructor, trainee):
    assert client_for(trainee).get(reverse("accounts:trainee_dashboard")).status_code == 200
    assert client_for(instructor).get(reverse("accounts:instructor_dashboard")).status_code == 200


def test_administrator_signs_in_with_totp_and_a_code_works_once(client):
    admin = add_totp(AdministratorFactory())
    response = sign_in(client, admin.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("accounts:admin_dashboard")).status_code == 302  # not yet signed in
    code = current_code()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:admin_dashboard")
    assert client.get(reverse("accounts:admin_dashboard")).status_code == 200
    # The same code cannot open a second session.
    client.post(reverse("account_logout"))
    sign_in(client, admin.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()


def test_django_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_failed_logins_are_rate_limited(client, trainee, settings):
    for _ in range(5):
        response = sign_in(client, trainee.email, "wrong-password")
        assert "The email address and/or password you specified are not correct." in response.content.decode()
    response = sign_in(client, trainee.email, PASSWORD)
    assert "Too many failed sign-in attempts for this account from your network." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rate_limits_live_in_redis_when_it_is_configured(redis_url, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    from django.core.cache import cache

    cache.set("probe", 1)
    assert cache.get("probe") == 1


def test_each_role_lands_on_its_own_dashboard(client_for, trainee, instructor, examiner, administrator):
    expected = {
        trainee: "accounts:trainee_dashboard",
        instructor: "accounts:instructor_dashboard",
        examiner: "accounts:examiner_dashboard",
        administrator: "accounts:admin_dashboard",
    }
    for user, name in expected.items():
        assert client_for(user).get(reverse("dashboard"))["Location"] == reverse(name)


def test_navigation_shows_what_each_role_can_do(client_for, trainee, administrator):
    page = client_for(trainee).get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "My licences" in page
    assert "Licence queue" not in page
    page = client_for(administrator).get(reverse("accounts:admin_dashboard")).content.decode()
    assert "Licence queue" in page
    assert "Audit trail" in page
