"""Procurement pages: views_admin (see procurement/urls.py)."""

urlpatterns: list = []
