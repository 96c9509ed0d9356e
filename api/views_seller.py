"""The API's seller endpoints."""

urls: list = []
