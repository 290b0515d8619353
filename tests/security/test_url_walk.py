"""The URL walk: every URL of the project, every method, every role of office A.

Office B holds at least one row of every office-owned model, each carrying SENTINEL. For each
URL pattern (found from the resolver, so the walk grows with the project) and each role of
office A:
- with office B's ids the answer is 404 (or 403 when the role may not use the page at all,
  which says nothing about B) and never contains SENTINEL;
- without ids the page never contains SENTINEL;
- with office A's own ids the answer is what the role table allows: success for permitted
  roles, 403/404 for the others;
- nothing ever answers 500. Each request is rolled back, so one cannot disturb the next.
A pattern the walk cannot request fails the test unless EXEMPT lists it with a reason.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from security.decorators import SESSION_OTP_AT
from security.models import AuditEvent, Invitation, Membership, Notification
from security.roles import Role, role_allows
from tests import walk
from tests.conftest import verified_client
from tests.factories import MembershipFactory, OfficeFactory

SENTINEL = "SENTINEL-B-7f3a"
METHODS = ("get", "post", "put", "patch", "delete")

# URL patterns the walk does not request, and why.
EXEMPT = {
    "security:invitation_accept": "public: the one-time token is itself the credential, not an office-scoped id",
    **{
        f"correspondence:{name}": "public: an office's contact pages, by slug (tests/correspondence/test_contact.py)"
        for name in ("contact_start", "contact_topic", "contact_positions", "contact_write", "contact_thanks")
    },
}
# Pages whose rows have an owner inside the office, so a permitted role may still get 404.
OWNER_ONLY = {
    "security:notification_read": "a notification is marked read only by its recipient",
}


def _build_rows(office, prefix: str) -> dict[str, models.Model]:
    """One row of every office-owned model in ``office``, from each app's module in tests/walk/."""
    rows: dict[str, models.Model] = {}
    for module in WALK_MODULES:
        module.build(office, prefix, rows)
    return rows


# In the apps' dependency order, so a module may use rows built by the apps to its left.
APP_ORDER = ["security", "constituents", "casework", "correspondence", "campaigns", "reports"]
WALK_MODULES = [
    importlib.import_module(f"tests.walk.{name}")
    for name in sorted((info.name for info in pkgutil.iter_modules(walk.__path__)), key=APP_ORDER.index)
]
# URL parameter name -> key in the rows built above.
PARAMS = {name: key for module in WALK_MODULES for name, key in module.PARAMS.items()}


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]
    view: Callable


def _routes(resolver: URLResolver | None = None, namespace: str = "", params: tuple[str, ...] = ()) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        converters = tuple(getattr(entry.pattern, "converters", {}).keys())
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner, params + converters)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name}" if entry.name else repr(entry), params + converters, entry.callback)


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _request(client: Client, method: str, url: str):
    """One request, undone: database changes roll back and the client keeps its cookies.

    The API reads JSON only, so it is sent an empty JSON object where a page gets an empty form.
    """
    cookies = copy.deepcopy(client.cookies)
    kwargs = {"content_type": "application/json"} if _is_api(url) and method != "get" else {}
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _body(response) -> str:
    if not response.streaming:
        return response.content.decode()
    # Reading to the end lets the test client close the file (without closing the database).
    return b"".join(response.streaming_content).decode(errors="replace")


@pytest.fixture
def walk_world(db):
    office_a = OfficeFactory(name="Office A")
    office_b = OfficeFactory(name=f"{SENTINEL} office", constituency=SENTINEL, mp_name=SENTINEL)
    rows_b = _build_rows(office_b, SENTINEL)
    rows_a = _build_rows(office_a, "OfficeA")
    clients = {}
    for role in Role:
        user = MembershipFactory(office=office_a, role=role).user
        client = verified_client(user)
        client.raise_request_exception = False  # a crash is reported as a 500 problem, not raised
        session = client.session
        session[SESSION_OTP_AT] = time.time() + 3600  # sensitive actions proceed to the real view
        session.save()
        clients[role] = client
    return rows_a, rows_b, clients


def test_every_office_owned_model_has_a_row_in_office_b(walk_world):
    _, rows_b, _ = walk_world
    owned = [
        m
        for m in apps.get_models()
        if any(getattr(f, "name", "") == "office" and f.is_relation for f in m._meta.fields)
    ]
    missing = [m._meta.label for m in owned if m._meta.model_name not in rows_b]
    assert not missing, f"Give the URL walk a row of these models in office B: {missing}"


def _expected_allowed(route: Route, role: str, method: str) -> bool:
    """What the role table says: a page names one permission, an API view one per method."""
    api_perms = getattr(getattr(route.view, "cls", None), "required_perms", None)
    perm = api_perms.get(method.upper()) if api_perms is not None else getattr(route.view, "required_perm", None)
    return perm is None or role_allows(role, perm)


def test_the_url_walk(walk_world):
    _walk(walk_world, _routes())


def _walk(walk_world, routes: Iterator[Route]) -> None:
    rows_a, rows_b, clients = walk_world
    problems: list[str] = []
    walked = 0
    for route in routes:
        if route.name in EXEMPT:
            continue
        unknown = [p for p in route.params if p not in PARAMS]
        if unknown:
            problems.append(f"{route.name}: the walk cannot fill {unknown}; add to PARAMS or EXEMPT")
            continue
        url_b = reverse(route.name, kwargs={p: rows_b[PARAMS[p]].pk for p in route.params})
        url_a = reverse(route.name, kwargs={p: rows_a[PARAMS[p]].pk for p in route.params})
        for role, client in clients.items():
            accepted = 0
            for method in METHODS:
                walked += 1
                response_b = _request(client, method, url_b)
                if response_b.status_code == 405:
                    continue
                accepted += 1
                body = _body(response_b)
                where = f"{method.upper()} {url_b} as {role}"
                if response_b.status_code >= 500:
                    problems.append(f"{where}: {response_b.status_code}")
                if SENTINEL in body:
                    problems.append(f"{where}: shows office B's data")
                refused_for_role = response_b.status_code == 403 and not _expected_allowed(route, role, method)
                if route.params and response_b.status_code != 404 and not refused_for_role:
                    problems.append(f"{where}: {response_b.status_code}, not 404, for office B's id")
                if route.params:
                    problems.extend(_check_own(client, method, url_a, route, role))
            if accepted == 0:
                problems.append(f"{route.name}: no method accepted")
    assert walked > 0
    assert not problems, "\n".join(problems)


def _check_own(client: Client, method: str, url: str, route: Route, role: str) -> list[str]:
    response = _request(client, method, url)
    _body(response)  # read (and close) it
    status = response.status_code
    where = f"{method.upper()} {url} as {role} (own office)"
    if status >= 500:
        return [f"{where}: {status}"]
    if _expected_allowed(route, role, method):
        # An API write sent an empty object may be refused as invalid (400): allowed, not forbidden.
        invalid_api_input = status == 400 and _is_api(url)
        if status >= 400 and not (status == 404 and route.name in OWNER_ONLY) and not invalid_api_input:
            return [f"{where}: {status}, but the role table allows it"]
    elif status not in (403, 404):
        return [f"{where}: {status}, but the role table forbids it"]
    return []


def test_the_walk_would_catch_a_view_that_forgot_the_office(walk_world, monkeypatch):
    """Break the lookup on purpose: the walk must notice."""
    from security.views import account

    def unscoped_lookup(model, office, **lookup):
        return model._default_manager.get(**lookup)

    monkeypatch.setattr(account, "get_for_office_or_404", unscoped_lookup)
    # The same walk over the pages of that module only: the whole walk takes a minute and a half.
    routes = (route for route in _routes() if route.view.__module__ == account.__name__)
    with pytest.raises(AssertionError, match="not 404, for office B's id"):
        _walk(walk_world, routes)


def test_fixture_rows_carry_the_sentinel(walk_world):
    _, rows_b, _ = walk_world
    assert SENTINEL in rows_b["notification"].title
    assert isinstance(rows_b["auditevent"], AuditEvent)
    assert isinstance(rows_b["invitation"], Invitation)
    assert isinstance(rows_b["membership"], Membership)
    assert isinstance(rows_b["notification"], Notification)
