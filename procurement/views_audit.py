"""Procurement pages: views_audit (see procurement/urls.py)."""

urlpatterns: list = []
