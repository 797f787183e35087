"""Stand-ins for third-party tags, answered inside the browser (Playwright routes): each sets its
cookies and storage and calls its collector the way the real tag does, and nothing reaches the internet."""

from __future__ import annotations

TWO_YEARS = 2 * 365 * 86400
SCRIPTS = {
    # GA4 (gtag.js): first-party _ga and _ga_<container> for two years, then a hit to the collector.
    "https://www.googletagmanager.com/gtag/js": (
        f'document.cookie = "_ga=GA1.1.123.456; max-age={TWO_YEARS}; path=/";'
        f'document.cookie = "_ga_TEST123=GS1.1.456.1.0; max-age={TWO_YEARS}; path=/";'
        'fetch("https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123", {mode: "no-cors"});'
    ),
    # LinkedIn Insight: li_fat_id for 30 days, its ID in localStorage, a pixel whose answer sets
    # LinkedIn's own cookies.
    "https://snap.licdn.com/li.lms-analytics/insight.min.js": (
        'document.cookie = "li_fat_id=abc; max-age=2592000; path=/";'
        'localStorage.setItem("li_adsId", "a1b2");'
        'new Image().src = "https://px.ads.linkedin.com/collect?pid=42&fmt=gif";'
    ),
    # Meta Pixel: _fbp for 90 days, then a hit to facebook.com/tr.
    "https://connect.facebook.net/en_US/fbevents.js": (
        'document.cookie = "_fbp=fb.1.1700000000.42; max-age=7776000; path=/";'
        'new Image().src = "https://www.facebook.com/tr/?id=42&ev=PageView";'
    ),
}
# LinkedIn's pixel answers with cookies of its own domain (third party to the site).
LINKEDIN_COOKIES = [
    "bcookie=v=2&1; Domain=.linkedin.com; Path=/; Max-Age=31536000; Secure; SameSite=None",
    "lidc=b=TB01; Domain=.linkedin.com; Path=/; Max-Age=86400; Secure; SameSite=None",
]


def answer(route) -> None:
    """Route handler for every request that is not to the site under test."""
    url = route.request.url
    script = SCRIPTS.get(url.split("?", 1)[0])
    if script:
        route.fulfill(body=script, content_type="application/javascript")
    elif url.startswith("https://px.ads.linkedin.com/"):
        # Playwright takes several Set-Cookie headers as one value, one cookie a line.
        headers = {"Set-Cookie": "\n".join(LINKEDIN_COOKIES), "Content-Type": "image/gif"}
        route.fulfill(status=200, body=b"GIF89a", headers=headers)
    else:
        route.fulfill(status=204, body=b"")
