"""Access rules of the API's catalogue, account, buyer and report routes (tests/test_api_access.py)."""

from dataclasses import dataclass, field

from tests.access_world import ALL, SIGNED_IN  # noqa: F401  (SIGNED_IN: the account routes)


@dataclass(frozen=True)
class ApiRule:
    """Who may call each method of one route; ``kwargs`` maps URL arguments to world values,
    ``data`` and ``query`` name a world value holding the body or the query string."""

    get: frozenset | None = None
    post: frozenset | None = None
    put: frozenset | None = None
    patch: frozenset | None = None
    delete: frozenset | None = None
    kwargs: dict = field(default_factory=dict)
    data: str | None = None
    query: str | None = None
    why: str = ""


RULES: dict[str, ApiRule] = {
    "categories": ApiRule(get=ALL, why="the catalogue is public"),
    "products": ApiRule(get=ALL, why="the catalogue is public"),
    "product": ApiRule(get=ALL, kwargs={"pk": "product_on_sale"}, why="a product on sale is public"),
}
