"""The API's account endpoints."""

urls: list = []
