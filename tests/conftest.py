import pytest
from django.core.cache import cache

from tests.factories import DEFAULT_PASSWORD, CountryFactory, UserFactory


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
