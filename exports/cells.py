"""CSV cells that a spreadsheet never runs as a formula (CSV injection).

Spreadsheets read a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (OWASP, "CSV Injection"): a consent record's page path of ``=HYPERLINK(…)`` would become a
live link in the DPO's spreadsheet. Such a cell gets a leading apostrophe, which spreadsheets show
as text. The same rule exists twice, once for Python writers (``neutralise``) and once for the
exports that PostgreSQL formats itself with COPY (``neutralised_sql``); tests/exports/test_cells.py checks
that both agree. JSON Lines exports keep exact values: no spreadsheet reads them.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value``, with an apostrophe in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised_sql(expression: str) -> str:
    """A SQL expression of the text ``expression`` with the same rule applied (for COPY … CSV).

    ``expression`` is a column or expression written by the code, never input.
    """
    prefixes = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
    return f"(CASE WHEN left({expression}, 1) IN ({prefixes}) THEN '''' || {expression} ELSE {expression} END)"
