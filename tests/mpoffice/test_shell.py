from django.test import Client


def test_an_unknown_url_gets_the_404_page(caseworker_client):
    response = caseworker_client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_anonymous_unknown_url_gets_the_404_page_without_the_menu(db):
    response = Client().get("/no/such/page")
    assert response.status_code == 404
    assert "Sign out" not in response.content.decode()


def test_a_crash_gets_the_500_page(caseworker_client, monkeypatch):
    from security.views import account

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(account.selectors, "recent_sign_ins", broken)
    caseworker_client.raise_request_exception = False
    response = caseworker_client.get("/?overview")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_carry_security_headers(db):
    response = Client().get("/login")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


def test_the_layout_has_a_skip_link_and_landmarks(caseworker_client):
    page = caseworker_client.get("/?overview").content.decode()
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert '<nav class="topbar__nav" aria-label="Main">' in page
    assert '<html lang="en-GB">' in page


def test_htmx_is_served_locally_and_configured_without_eval(caseworker_client):
    page = caseworker_client.get("/?overview").content.decode()
    assert '"allowEval": false' in page
    assert 'src="/static/vendor/htmx/htmx-2.0.11.min.js"' in page
    assert "https://" not in page.split("</head>")[0]
