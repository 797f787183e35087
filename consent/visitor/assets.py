"""What every visitor downloads before a choice: the consent UI's static files, and their budget.

The budget is measured on the bytes a browser receives (the minified, gzip-compressed files that
WhiteNoise serves), by tests/consent/test_budget.py and by ``make bench``, both with
``served_sizes()``. The site's pages carry consent.css in their ``<style>`` (``{% inline_styles %}``),
compressed with the page: what it adds there is at most its size as a file, which the budget counts.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage

UI_FILES = ("js/consent.js", "css/consent.css")
UI_BUDGET_BYTES = 3584  # 3.5 KB of gzip for the two files together


def served_sizes() -> dict[str, int]:
    """Bytes WhiteNoise sends for each of ``UI_FILES`` with ``Accept-Encoding: gzip``.

    Read from the collected files (run ``collectstatic`` first): the .gz written beside each hashed
    file, or the file itself where compressing it did not pay and WhiteNoise wrote none.
    """
    sizes = {}
    for name in UI_FILES:
        hashed = staticfiles_storage.stored_name(name)  # type: ignore[attr-defined]  # a manifest storage
        compressed = f"{hashed}.gz"
        sizes[name] = staticfiles_storage.size(compressed if staticfiles_storage.exists(compressed) else hashed)
    return sizes
