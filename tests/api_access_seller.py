"""Access rules of the API's seller routes (tests/test_api_access.py)."""

from tests.api_access_catalogue import ApiRule

RULES: dict[str, ApiRule] = {}


def world_extend(world: dict) -> None:
    """Add to the access world what the seller routes need (world["values"], world["people"])."""
