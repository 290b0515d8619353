"""One error format, pagination and throttling, for every endpoint alike."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.api.conftest import bearer
from tests.factories import ConstituentFactory

ERROR_KEYS = {"code", "message", "fields"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_every_error_has_the_same_shape(write_client, read_client, volunteer_client, case):
    _error(write_client.post("/api/v1/cases", {"summary": "x"}), 400, "invalid")
    _error(Client().get("/api/v1/cases"), 401, "not_authenticated")
    _error(bearer("mpo_wrong").get("/api/v1/cases"), 401, "authentication_failed")
    _error(read_client.post(f"/api/v1/cases/{case.pk}/close", {"reason": "resolved"}), 403, "permission_denied")
    _error(write_client.get("/api/v1/cases/999999999"), 404, "not_found")
    _error(write_client.get("/api/v1/no-such-thing"), 404, "not_found")
    _error(write_client.delete(f"/api/v1/cases/{case.pk}"), 405, "method_not_allowed")
    _error(write_client.put(f"/api/v1/cases/{case.pk}", {}), 405, "method_not_allowed")
    _error(write_client.patch(f"/api/v1/cases/{case.pk}", {"version": 42}), 409, "conflict")
    _error(write_client.get("/api/v1/cases", {"page": 99}), 404, "not_found")
    session = volunteer_client.post(f"/api/v1/cases/{case.pk}/close", "{}", content_type="application/json")
    _error(session, 403, "permission_denied")


def test_invalid_fields_are_named_with_dotted_paths(write_client, constituent):
    error = _error(
        write_client.post("/api/v1/cases", {"constituent": constituent.pk, "summary": "x", "tags": [1, "x"]}),
        400,
        "invalid",
    )
    assert error["fields"] == {"tags.1": ["A valid integer is required."]}


def test_only_json_is_read(write_client, case):
    error = _error(
        write_client.post(f"/api/v1/cases/{case.pk}/close", "reason=resolved", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )
    assert "text/plain" in error["message"]
    _error(
        write_client.post(f"/api/v1/cases/{case.pk}/close", "{not json", content_type="application/json"),
        400,
        "parse_error",
    )
    # Valid JSON, but a lone surrogate PostgreSQL could not store: refused, not a 500.
    _error(
        write_client.post("/api/v1/constituents", '{"last_name": "\\ud800"}', content_type="application/json"),
        400,
        "parse_error",
    )
    _error(write_client.post("/api/v1/cases", "[1, 2]", content_type="application/json"), 400, "invalid")


def test_text_with_nul_is_refused_clearly(write_client):
    error = _error(write_client.post("/api/v1/constituents", {"last_name": "A\x00B"}), 400, "invalid")
    assert error["fields"] == {"last_name": ["Null characters are not allowed."]}


def test_out_of_range_ids_are_404_not_500(write_client):
    _error(write_client.get(f"/api/v1/cases/{10**30}"), 404, "not_found")
    _error(write_client.get(f"/api/v1/constituents/{2**63}"), 404, "not_found")


def test_lists_are_paginated_with_a_stable_order(read_client, office):
    people = [ConstituentFactory(office=office, last_name="Same", first_name="Same") for _ in range(7)]
    first = read_client.get("/api/v1/constituents", {"page_size": 3}).json()
    assert (first["count"], len(first["results"])) == (7, 3)
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert "page_size=3" in first["next"]
    seen = [row["id"] for row in first["results"]]
    for page in (2, 3):
        seen += [
            row["id"]
            for row in read_client.get("/api/v1/constituents", {"page_size": 3, "page": page}).json()["results"]
        ]
    # Identical names: the id breaks the tie, so no row repeats or goes missing between pages.
    assert seen == sorted(p.pk for p in people)


def test_page_size_defaults_to_50_and_stops_at_200(read_client, office):
    ConstituentFactory.create_batch(201, office=office)
    assert len(read_client.get("/api/v1/constituents").json()["results"]) == 50
    assert len(read_client.get("/api/v1/constituents", {"page_size": 500}).json()["results"]) == 200
    assert len(read_client.get("/api/v1/constituents", {"page_size": "lots"}).json()["results"]) == 50


@pytest.fixture
def tiny_rate(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/min"}}


def test_requests_are_throttled_per_token(tiny_rate, make_token):
    first, first_secret = make_token("read", name="First")
    second, second_secret = make_token("read", name="Second")
    for token in (first, second):  # the cache is shared with other test databases' runs
        cache.delete(f"throttle_api_token-{token.pk}")
    client = bearer(first_secret)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/me")
    error = _error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in error["message"].lower()
    # Another integration has its own allowance.
    assert bearer(second_secret).get("/api/v1/me").status_code == 200


def test_sessions_are_throttled_per_person(tiny_rate, caseworker_client, caseworker):
    cache.delete(f"throttle_api_user-{caseworker.pk}")
    statuses = [caseworker_client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_crash_is_a_500_in_the_same_format(read_client, monkeypatch):
    from casework import api

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.TagListApi, "get", crash)
    read_client.raise_request_exception = False
    error = _error(read_client.get("/api/v1/tags"), 500, "server_error")
    assert "boom" not in error["message"]
