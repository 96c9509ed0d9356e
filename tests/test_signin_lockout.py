"""Password guessing is stopped: after a few wrong passwords for one account, or from one
address, signing in there is refused for a while with a clear Indonesian message (django-axes)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
LOCKED_MESSAGE = "Terlalu banyak kata sandi yang salah"


def sign_in(client: Client, email: str, password: str, *, address: str = "10.0.0.1"):
    return client.post(
        LOGIN_URL,
        {"login-username": email, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR=address,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def test_wrong_passwords_lock_the_account_even_with_the_right_one(client, limits):
    # given a shopper
    user = UserFactory(email="siti@contoh.id", username="siti")

    # when someone tries five wrong passwords, changing the email's case and spacing
    for attempt, typed in enumerate(
        ["siti@contoh.id", "SITI@contoh.id", " siti@contoh.id", "Siti@Contoh.id", "siti@contoh.id"]
    ):
        response = sign_in(client, typed, f"tebakan-{attempt}", address=f"10.0.0.{attempt + 1}")
    # and then the right one, from yet another address
    response = sign_in(client, user.email, DEFAULT_PASSWORD, address="10.0.9.9")

    # then sign-in is refused with a clear Indonesian message in the site's layout
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_MESSAGE in html and "15 menit" in html
    assert "peken/peken.css" in html and "/password-reset/" in html
    assert not signed_in(client)


def test_wrong_passwords_from_one_address_lock_that_address(limits):
    # given six accounts
    users = [UserFactory(email=f"pegawai{i}@contoh.id", username=f"pegawai{i}") for i in range(6)]
    guesser = Client()

    # when one address tries a wrong password for five of them
    for user in users[:5]:
        sign_in(guesser, user.email, "salah-sekali", address="10.1.1.1")

    # then even the sixth, with its right password, is refused from that address
    response = sign_in(guesser, users[5].email, DEFAULT_PASSWORD, address="10.1.1.1")
    assert response.status_code == 429 and LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(guesser)
    # while its owner, from their own address, signs in
    owner = Client()
    response = sign_in(owner, users[5].email, DEFAULT_PASSWORD, address="10.2.2.2")
    assert response.status_code == 302 and signed_in(owner)


def test_a_few_mistakes_then_the_right_password_signs_in_and_starts_afresh(client, limits):
    # given a shopper who mistypes their password four times
    user = UserFactory(email="budi@contoh.id", username="budi")
    for _ in range(4):
        assert sign_in(client, user.email, "hampir-benar").status_code == 200

    # when they type it right, then they are signed in
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
    assert signed_in(client)
    # and their mistakes are forgotten: four more later do not lock them out
    other = Client()
    for _ in range(4):
        sign_in(other, user.email, "hampir-benar")
    assert sign_in(other, user.email, DEFAULT_PASSWORD).status_code == 302


def test_registration_signs_nobody_in_until_the_emailed_link_is_opened(client):
    # given the guard is on
    # when a visitor registers
    response = client.post(
        "/accounts/register/",
        {"email": "baru@contoh.id", "password1": "Kata-sandi-baru-2026", "password2": "Kata-sandi-baru-2026"},
    )

    # then the account exists, waiting for its email link, and nobody is signed in yet
    assert response.status_code == 302 and response["Location"] == "/accounts/register/sent/"
    assert get_user_model().objects.filter(email="baru@contoh.id", is_active=False).exists()
    assert not signed_in(client)
