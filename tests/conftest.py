import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client
from django.utils import translation

from peken.page_cache import page_cache_invalidate
from tests.factories import DEFAULT_PASSWORD, CountryFactory, UserFactory
from tests.stripe_server import localstripe  # noqa: F401  (fixture: the fake Stripe server)

_sql_flush = PostgresOperations.sql_flush


def _sql_flush_past_the_audit_guard(self, style, tables, **kwargs):
    # The audit tables refuse TRUNCATE (a trigger), and transactional tests are emptied by
    # TRUNCATE. Replica mode skips triggers for this one transaction; it needs a superuser
    # (the tests' role), which the application's role never is.
    statements = _sql_flush(self, style, tables, **kwargs)
    return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements


PostgresOperations.sql_flush = _sql_flush_past_the_audit_guard


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _site_language():
    # a request in English activates it for the thread, and a test after it would read English
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    # rolled-back test data leaves no signal behind, so cached menus would outlive it
    cache.clear()
    page_cache_invalidate()  # and this process would go on using the page version it read last


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
