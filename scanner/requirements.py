"""Whether this machine can scan: Playwright (the optional extra) and a Chromium to drive.

Nothing else of the site needs either; this module never imports Playwright, it only looks for it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext


def missing_requirements() -> str | None:
    """What to install before a scan can run, in a sentence; None when nothing is missing."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append(gettext("Playwright : pip install -r requirements-scan.txt"))
    chromium = settings.SCAN_CHROMIUM_PATH
    if not (Path(chromium).is_file() or shutil.which(chromium)):
        missing.append(gettext("Chromium (%(path)s) : apt-get install chromium") % {"path": chromium})
    if not missing:
        return None
    return gettext("Le scanner de cookies a besoin de %(what)s.") % {"what": " ; ".join(missing)}
