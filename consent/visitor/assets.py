"""What every visitor downloads before a choice: the consent UI's static files, and their budget.

The budget is measured on the bytes a browser receives (the minified, gzip-compressed files that
WhiteNoise serves), by tests/consent/test_budget.py and by ``make bench``.
"""

UI_FILES = ("js/consent.js", "css/consent.css")
UI_BUDGET_BYTES = 3584  # 3.5 KB of gzip for the two files together
