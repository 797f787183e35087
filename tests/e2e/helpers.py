"""What the browser tests read from the page and wait for: the consent cookie, CSP violations, the log."""

from __future__ import annotations

from collections.abc import Callable

from consent.visitor.cookie import cookie_name
from tests.servers import wait_for

# Added with page.add_init_script; the violations are then in window.__csp.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def allow_hosts(settings, **hosts: str) -> None:
    """Add stub hosts to the CSP, as CSP_SCRIPT_HOSTS and the like would: ``script_src="https://…"``."""
    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}
    for name, host in hosts.items():
        directive = name.replace("_", "-")
        directives[directive] = [*directives[directive], host]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}


def consent_cookie(page) -> str | None:
    for c in page.context.cookies():
        if c["name"] == cookie_name():
            return c["value"]
    return None


def wait_in(page, condition: Callable[[], object], timeout: float = 10, *, what: str = "") -> None:
    """wait_for, pausing in the page, so that the browser's events (answers, navigations) reach Python meanwhile."""
    wait_for(condition, timeout, what=what, pause=lambda seconds: page.wait_for_timeout(seconds * 1000))


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll a JS expression from Python: page.wait_for_function would eval() it, which our CSP forbids."""
    wait_in(page, lambda: page.evaluate(f"() => Boolean({expression})"), timeout, what=expression)


def wait_for_records(count: int, timeout: float = 10) -> list:
    """The consent log once it holds ``count`` rows (the browser posts asynchronously)."""
    from consent.models import ConsentRecord

    wait_for(lambda: ConsentRecord.objects.count() >= count, timeout, what=f"{count} consent records")
    records = list(ConsentRecord.objects.order_by("id"))
    assert len(records) == count, [r.action for r in records]
    return records
