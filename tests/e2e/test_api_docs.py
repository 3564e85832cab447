"""The API documentation (Swagger UI from static files) renders under the site's CSP."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_without_csp_violations(browser_page, live_server):
    page = browser_page
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Registrasi API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/verify/{number}/")
    assert page.locator(".opblock").count() >= 14
    assert problems == []
    assert external == []
