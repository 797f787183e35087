"""The site's URLs without its sitemap, as a deployment that has none."""

from nocrm_site.urls import urlpatterns as site_urls

urlpatterns = [pattern for pattern in site_urls if getattr(pattern, "name", None) != "sitemap"]
