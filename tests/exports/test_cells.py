import pytest
from django.db import connection

from exports.cells import FORMULA_PREFIXES, neutralise, neutralised_sql

SAMPLES = [*(f"{p}1+1" for p in FORMULA_PREFIXES), "plain", "", "'quoted", "a=b", "/=path", "é=x"]


@pytest.mark.parametrize("value", SAMPLES)
def test_formulas_get_an_apostrophe_and_other_text_is_kept(value):
    expected = "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    assert neutralise(value) == expected


def test_values_that_are_not_text_are_kept():
    assert neutralise(-3) == -3 and neutralise(None) is None


@pytest.mark.django_db
def test_the_sql_rule_gives_the_same_cells_as_the_python_one():
    with connection.cursor() as cursor:
        for value in SAMPLES:
            cursor.execute(f"SELECT {neutralised_sql('v')} FROM (SELECT %s::text AS v) AS t", [value])
            assert cursor.fetchone()[0] == neutralise(value), repr(value)
