"""The consent app's admin: declarations for marketers, the log and revisions for the DPO.

Django's admin autodiscovery imports this package; importing both modules registers their models.
"""

from consent.admin import declarations, log

__all__ = ["declarations", "log"]
