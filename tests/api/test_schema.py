"""The OpenAPI schema and its docs page: for staff and tokens, valid, and served from our own files."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from tests.api.conftest import bearer


def test_the_schema_is_for_staff_and_tokens_only(caseworker_client, make_token):
    assert Client().get("/api/schema/").status_code == 401
    response = caseworker_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "MP office casework API"
    assert bearer(make_token("read")[1]).get("/api/schema/").status_code == 200
    assert bearer(make_token("inbound_email")[1]).get("/api/schema/").status_code == 200


def test_the_schema_documents_every_operation_with_auth_and_errors(read_client):
    schema = read_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/me",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/close",
        "/api/v1/cases/{case_id}/timeline",
        "/api/v1/constituents",
        "/api/v1/constituents/{constituent_id}",
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/tags",
        "/api/v1/messages",
        "/api/v1/cases/{case_id}/enquiries",
        "/api/v1/cases/{case_id}/enquiries/{enquiry_id}",
        "/api/v1/cases/{case_id}/enquiries/{enquiry_id}/answer",
        "/api/v1/enquiries",
        "/api/v1/messages/{message_id}",
        "/api/v1/messages/{message_id}/file",
        "/api/v1/inbound/email",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}",
        "/api/v1/campaigns/{campaign_id}/messages",
        "/api/v1/campaigns/{campaign_id}/responses",
    }
    bearer_scheme = schema["components"]["securitySchemes"]["bearerToken"]
    assert (bearer_scheme["type"], bearer_scheme["scheme"]) == ("http", "bearer")
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"bearerToken": []} in operation["security"], (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
    assert "409" in paths["/api/v1/cases/{case_id}"]["patch"]["responses"]
    list_params = {p["name"] for p in paths["/api/v1/cases"]["get"]["parameters"]}
    assert {"page", "page_size", "status", "assignee", "tag", "priority", "q", "sort"} <= list_params


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_docs_page_uses_local_assets_and_no_inline_script(caseworker_client):
    response = caseworker_client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    assert all(' src="' in tag for tag in scripts)
    for outside in ("<script>", "cdn.", "https://"):
        assert outside not in page
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        path = f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert f"{settings.STATIC_URL}{path}" in page
        assert finders.find(path), asset
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_docs_script_is_javascript_pointing_at_the_schema(caseworker_client):
    response = caseworker_client.get("/api/docs/script.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-store"
    script = response.content.decode()
    url = re.search(r'url: "([^"]+)"', script).group(1)
    assert json.loads(f'"{url}"') == "/api/schema/?format=json"  # escaped for JavaScript
    assert "SwaggerUIBundle(" in script


def test_the_docs_page_sends_a_stranger_to_sign_in(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")
