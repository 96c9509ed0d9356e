"""The API's procurement endpoints."""

urls: list = []
