"""In real Chromium, the main pages apply under the strict policy (style-src 'self', no inline
style or script): the browser reports no Content-Security-Policy violation on any of them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.forms import financial_year_start
from tests.browser import DESKTOP, shot, sign_in_as

# Injected through the DevTools protocol before the page's own scripts, so the CSP does not stop it.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline') + ' '
    + (event.sourceFile || '') + ':' + event.lineNumber);
});
"""


class Watch:
    def __init__(self, page, live_server):
        self.page, self.base, self.console = page, live_server.url, []
        page.set_viewport_size(DESKTOP)
        page.add_init_script(LISTEN)
        page.on("console", lambda message: self.console.append(message.text))

    def visit(self, name, path):
        self.console.clear()
        response = self.page.goto(self.base + path)
        assert response.status == 200, f"{name}: {response.status}"
        assert "style-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        shot(self.page, f"csp-{name}")
        return self.violations()

    def violations(self):
        refused = [text for text in self.console if "Content Security Policy" in text or "Refused to" in text]
        return self.page.evaluate("window.__cspViolations") + refused


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_raise_no_content_security_policy_violation(live_server, page, world, mentor_user, manager):
    world.programme.target_clients = 40  # the manager's home draws its progress bar
    world.programme.save()
    watch = Watch(page, live_server)

    sign_in_as(page, live_server, mentor_user)
    assert watch.visit("mentor-home", reverse("home")) == []
    assert watch.visit("client", reverse("clients:client_detail", args=[world.my_client.pk])) == []
    assert watch.visit("paper-questionnaire", reverse("outcomes:questionnaire_print", args=[world.my_case.pk])) == []

    page.context.clear_cookies()
    sign_in_as(page, live_server, manager)
    assert watch.visit("manager-home", reverse("home")) == []
    assert page.locator("progress.target-progress").first.evaluate("el => el.getBoundingClientRect().height") > 0
    today = timezone.localdate()
    report = (f"{reverse('reports:report')}?programmes={world.programme.pk}"
              f"&start={financial_year_start(today - timedelta(days=90)).isoformat()}&end={today.isoformat()}")
    assert watch.visit("report", report) == []
    assert page.locator("main table").count() > 0  # the report ran, with its tables

    # The listener does hear a violation: an inline style attribute is refused on this page.
    page.evaluate("document.querySelector('main').setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any(v.startswith("style-src") for v in watch.violations())
