"""Personal API tokens: made and revoked on the account page, stored hashed, limited, and every
error in one JSON shape in the caller's language."""

import hashlib

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken, Scope
from api.services import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_hashed(client):
    """Given a signed-in person, when they make a token on the account page, then its key is shown on
    that answer, only its hash is stored, and the key calls the API as that person."""
    user = UserFactory(email="kasir@contoh.id")
    client.force_login(user)
    response = client.post(reverse("api-tokens"), {"name": "Kasir toko", "scopes": ["read", "seller"]})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("pkn_") and key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.scopes == ["read", "seller"]
    me = _bearer(key).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["token"] == "Kasir toko" and me.json()["scopes"] == ["read", "seller"]
    # the list shows the token by name and prefix, never the key again
    page = client.get(reverse("api-tokens")).content.decode()
    assert "Kasir toko" in page and token.prefix in page and key not in page


def test_a_revoked_token_is_refused_at_once(client):
    """Given a token in use, when its owner revokes it on the account page, then the next call is a 401."""
    user = UserFactory()
    token, key = api_token_create(user=user, name="Sistem anggaran", scopes=[Scope.READ])
    assert _bearer(key).get("/api/v1/me/").status_code == 200
    client.force_login(user)
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    answer = _bearer(key).get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "authentication_failed"


def test_only_the_owner_revokes_a_token(client):
    """Given someone else's token, when a person tries to revoke it, then 404 and it still works."""
    token, key = api_token_create(user=UserFactory(), name="Kasir", scopes=[Scope.READ])
    client.force_login(UserFactory())
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    with pytest.raises(PermissionError):
        api_token_revoke(token=token, actor=UserFactory())
    assert _bearer(key).get("/api/v1/me/").status_code == 200


def test_a_token_needs_a_name_a_scope_and_a_free_place(client):
    """Given bad or too many tokens, when they are made, then each refusal names what is wrong."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("api-tokens"), {"name": "", "scopes": []})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"name", "scopes"}
    api_token_create(user=user, name="Kasir", scopes=[Scope.READ])
    with pytest.raises(ValidationError) as duplicate:
        api_token_create(user=user, name="kasir", scopes=[Scope.READ])
    assert "name" in duplicate.value.message_dict
    with override_settings(PEKEN_API_TOKENS_PER_USER=1):
        response = client.post(reverse("api-tokens"), {"name": "Kedua", "scopes": ["read"]})
    assert "Paling banyak 1 token aktif" in response.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1


def test_an_unknown_token_and_no_token_are_told_apart():
    """Given a made-up key, then 401 with its stable code; without credentials, a 401 of its own code."""
    answer = _bearer("pkn_bukan-token-sungguhan").get("/api/v1/me/")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "authentication_failed"
    anonymous = APIClient().get("/api/v1/me/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert anonymous["WWW-Authenticate"] == "Bearer"


def test_errors_speak_the_language_asked_for():
    """Given the same bad request, when asked in Indonesian and in English, then the code is the same
    and the message is in each language; a validation error names the field."""
    client = APIClient()
    indonesian = client.get("/api/v1/products/", {"sort": "acak"}, HTTP_ACCEPT_LANGUAGE="id")
    english = client.get("/api/v1/products/", {"sort": "acak"}, HTTP_ACCEPT_LANGUAGE="en")
    assert indonesian.status_code == english.status_code == 400
    assert indonesian.json()["error"]["code"] == english.json()["error"]["code"] == "invalid"
    assert set(indonesian.json()["error"]["fields"]) == {"sort"}
    assert indonesian.json()["error"]["message"] == "Periksa isian berikut."
    assert english.json()["error"]["message"] == "Check the fields below."
    assert english["Content-Language"] == "en"
    missing = client.get("/api/v1/products/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@override_settings(PEKEN_API_RATE_TOKEN="3/min", PEKEN_API_RATE_ADDRESS="1000/min")
def test_each_token_has_its_own_limit():
    """Given a limit of 3 calls a minute per token, when one token calls a fourth time, then 429 with
    Retry-After, while another token of the same person still gets through."""
    cache.clear()
    user = UserFactory()
    _one, first = api_token_create(user=user, name="Satu", scopes=[Scope.READ])
    _two, second = api_token_create(user=user, name="Dua", scopes=[Scope.READ])
    calls = [_bearer(first).get("/api/v1/me/").status_code for _ in range(4)]
    assert calls == [200, 200, 200, 429]
    refused = _bearer(first).get("/api/v1/me/")
    assert refused.json()["error"]["code"] == "throttled" and int(refused["Retry-After"]) > 0
    assert _bearer(second).get("/api/v1/me/").status_code == 200


@override_settings(PEKEN_API_RATE_ADDRESS="2/min")
def test_each_address_has_a_limit_too():
    """Given a limit of 2 calls a minute per address, when anonymous callers from one address call a
    third time, then 429; another address still gets through."""
    cache.clear()
    client = APIClient()
    calls = [client.get("/api/v1/categories/", REMOTE_ADDR="10.0.0.7").status_code for _ in range(3)]
    assert calls == [200, 200, 429]
    assert client.get("/api/v1/categories/", REMOTE_ADDR="10.0.0.8").status_code == 200
