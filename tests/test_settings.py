"""Production settings are safe when the documented environment variables are set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from oscar.templatetags.currency_filters import currency

from peken.settings.base import DEV_AUDIT_KEY

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "peken.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
    "DJANGO_ALLOWED_HOSTS": "peken.surabaya.go.id",
    "PEKEN_SITE_DOMAIN": "peken.surabaya.go.id",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/peken",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PEKEN_AUDIT_KEYS": "2027a:" + "k" * 24 + "a-random-production-audit-key",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PEKEN_AUDIT_KEYS"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    # given the documented production environment
    # when Django's deployment checklist runs
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    # then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    # given production settings with no secret key
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}

    # when anything starts, then it fails naming the variable
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_its_own_audit_key():
    # given production settings with no audit key, or with the development key of the repository
    missing = {k: v for k, v in PRODUCTION_ENV.items() if k != "PEKEN_AUDIT_KEYS"}
    dev_key = {**PRODUCTION_ENV, "PEKEN_AUDIT_KEYS": DEV_AUDIT_KEY}
    for env in (missing, dev_key):
        # when anything starts, then it fails naming the variable
        result = manage("check", env=env)
        assert result.returncode != 0
        assert "PEKEN_AUDIT_KEYS" in result.stderr


def test_rupiah_is_shown_without_decimals_in_every_language():
    # given an amount in rupiah, when it is shown in Indonesian and in English
    for language in ("id", "en"):
        with translation.override(language):
            # then it reads Rp150.000, dot thousands, no decimals
            assert currency("150000.00") == "Rp150.000"
            assert currency("1250000") == "Rp1.250.000"


def test_times_are_in_surabaya():
    assert str(timezone.get_current_timezone()) == "Asia/Jakarta"


@pytest.mark.django_db
def test_shop_speaks_indonesian_until_the_visitor_picks_english(client):
    # given a browser that prefers English
    headers = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    # when it opens the shop, then the page is Indonesian
    page = client.get(reverse("basket:summary"), **headers)
    assert 'lang="id"' in page.content.decode() and "Keranjang" in page.content.decode()
    # when the visitor picks English with the switcher, then pages are English
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("basket:summary"), **headers)
    assert 'lang="en"' in page.content.decode()
    assert "Keranjang" not in page.content.decode()
