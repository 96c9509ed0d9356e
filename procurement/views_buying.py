"""Procurement pages: views_buying (see procurement/urls.py)."""

urlpatterns: list = []
