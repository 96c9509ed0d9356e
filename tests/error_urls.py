"""Peken's URLs plus pages that fail on purpose, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from peken.urls import *  # noqa: F403  (the handlers too)
from peken.urls import urlpatterns as peken_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


def forbidden(request):
    raise PermissionDenied


def broken_context(request):
    raise RuntimeError("database unreachable")


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("rusak/", broken),
    path("curiga/", suspicious),
    path("terlarang/", forbidden),
    *peken_urlpatterns,
]
