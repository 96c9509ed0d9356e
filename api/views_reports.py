"""The API's reports endpoints."""

urls: list = []
