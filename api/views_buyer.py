"""The API's buyer endpoints."""

urls: list = []
