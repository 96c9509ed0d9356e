"""Every API route allows exactly the people its rule names, and a token only within its scopes.

The routes are read from the resolver (the whole ``api:v1`` namespace) with the methods
their views implement. Each route needs an entry in ``TABLE`` (built from the area tables
in tests/api_access_*.py) naming who may use each method; a route or method without one
fails ``test_every_api_route_has_an_access_rule``.

Every actor of the access world (tests/access_world.py) calls every route with a token
holding every scope; each call runs in a savepoint that is rolled back. Allowed: anything
but 401, 403 and 404 (an allowed write with a body that is not good enough answers 400 or
409: it got past the rule). Denied: 401 (anonymous), 403 or 404.
"""

import itertools

import pytest
from django.db import transaction
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from api.models import Scope
from api.services import api_token_create
from tests.access_world import access_world
from tests.api_access_catalogue import RULES as CATALOGUE
from tests.api_access_catalogue import ApiRule
from tests.api_access_catalogue import world_extend as catalogue_world
from tests.api_access_procurement import RULES as PROCUREMENT
from tests.api_access_procurement import world_extend as procurement_world
from tests.api_access_seller import RULES as SELLER
from tests.api_access_seller import world_extend as seller_world
from tests.url_walk import named_patterns

TABLE: dict[str, ApiRule] = {**CATALOGUE, **SELLER, **PROCUREMENT}
METHODS = ("get", "post", "put", "patch", "delete")
NAMES = itertools.count()


def api_routes() -> dict[str, tuple[URLPattern, tuple[str, ...]]]:
    """Each ``api:v1`` route name with its pattern and the methods its view implements."""
    found = {}
    for name, pattern in named_patterns():
        if not name.startswith("api:v1:"):
            continue
        view = pattern.callback
        if getattr(view, "actions", None):
            methods = tuple(m for m in METHODS if m in view.actions)
        else:
            methods = tuple(m for m in METHODS if hasattr(view.cls, m))
        found[name.removeprefix("api:v1:")] = (pattern, methods)
    return found


@pytest.fixture
def world(db):
    world = access_world()
    catalogue_world(world)
    seller_world(world)
    procurement_world(world)
    return world


def _client(actor: str, world, scopes=tuple(Scope.values)) -> APIClient:
    client = APIClient()
    if actor != "anonymous":
        name = f"uji {next(NAMES)}"
        _token, key = api_token_create(user=world["people"][actor], name=name, scopes=list(scopes))
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _url(name: str, rule: ApiRule, world) -> str:
    values = world["values"]
    return reverse(f"api:v1:{name}", kwargs={k: values[v] for k, v in rule.kwargs.items()})


def _call(client, method: str, url: str, rule: ApiRule, world):
    data = world["values"][rule.data] if rule.data else {}
    with transaction.atomic():
        sid = transaction.savepoint()
        if method == "get":
            response = client.get(url, world["values"].get(rule.query, {}) if rule.query else {})
        else:
            response = getattr(client, method)(url, data, format="json")
        transaction.savepoint_rollback(sid)
    return response


def test_every_api_route_has_an_access_rule():
    """Given the API's routes, then each one and each of its methods has a rule, and no rule is stale."""
    routes = api_routes()
    assert routes, "no API route found"
    missing = sorted(set(routes) - set(TABLE))
    assert not missing, f"API routes without an access rule: {missing}"
    stale = sorted(set(TABLE) - set(routes))
    assert not stale, f"access rules for routes that no longer exist: {stale}"
    for name, (_pattern, methods) in routes.items():
        ruled = {m for m in METHODS if getattr(TABLE[name], m) is not None}
        assert ruled == set(methods), f"{name}: the view takes {methods}, the rule names {sorted(ruled)}"


@pytest.mark.django_db
def test_every_api_route_allows_exactly_its_people(world):
    """Given every actor with a token of every scope, when each calls each route, then only the rule's
    people get past it."""
    routes = api_routes()
    actors = ("anonymous", *sorted(world["people"]))
    clients = {actor: _client(actor, world) for actor in actors}
    wrong = []
    for name, (_pattern, methods) in sorted(routes.items()):
        rule = TABLE[name]
        url = _url(name, rule, world)
        for method in methods:
            allowed = getattr(rule, method)
            for actor in actors:
                response = _call(clients[actor], method, url, rule, world)
                got = "denied" if response.status_code in (401, 403, 404) else "allowed"
                if response.status_code >= 500:
                    got = f"error {response.status_code}"
                want = "allowed" if actor in allowed else "denied"
                if got != want:
                    status = response.status_code
                    wrong.append(f"{method.upper()} {name} as {actor}: {got} ({status}), want {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_token_reaches_only_its_scopes(world):
    """Given an allowed actor whose token lacks the route's scope, when they call it, then a 403
    names the scope."""
    routes = api_routes()
    wrong = []
    clients = {}  # one token per actor and scopes: a name is unique among a user's tokens
    for name, (pattern, methods) in sorted(routes.items()):
        scope = getattr(pattern.callback.cls, "required_scope", None)
        rule = TABLE[name]
        if scope is None:
            continue
        others = [s for s in Scope.values if s != scope]
        for method in methods:
            actor = next(iter(sorted(getattr(rule, method))), None)
            if actor is None or actor == "anonymous":
                continue
            key = (actor, tuple(others))
            client = clients.get(key) or clients.setdefault(key, _client(actor, world, scopes=others))
            response = _call(client, method, _url(name, rule, world), rule, world)
            if response.status_code != 403 or scope not in response.json()["error"]["message"]:
                wrong.append(f"{method.upper()} {name} as {actor} without {scope}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
