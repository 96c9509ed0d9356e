import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, CountryFactory, UserFactory
from tests.stripe_server import localstripe  # noqa: F401  (fixture: the fake Stripe server)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    # rolled-back test data leaves no signal behind, so cached menus would outlive it
    cache.clear()


@pytest.fixture
def indonesia(db):
    return CountryFactory()


@pytest.fixture
def shopper(db):
    return UserFactory(email="siti@contoh.id", username="siti")


@pytest.fixture
def shopper_client(client, shopper):
    client.login(username=shopper.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def verifier(db):
    """A Dinkopdag verifier: may approve, reject and suspend shops and settle listing reports."""
    user = UserFactory(email="dewi@dinkopdag.surabaya.go.id", username="dewi")
    user.user_permissions.add(Permission.objects.get(codename="verify_seller"))
    return user


@pytest.fixture
def verifier_client(verifier):
    client = Client()
    client.login(username=verifier.email, password=DEFAULT_PASSWORD)
    return client
