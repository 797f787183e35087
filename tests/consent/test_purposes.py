"""Every place that has one entry per optional purpose follows ``OPTIONAL_PURPOSES``.

These fail when a purpose is added to ``PurposeSlug`` and one of them is forgotten; what is left to
do by hand is in docs/adding-a-purpose.md.
"""

import pytest
from django.conf import settings
from django.db import connection, models

from consent.admin.log import ConsentRecordAdmin
from consent.backoffice import charts, export
from consent.backoffice.rollup import DAILY_TABLE
from consent.demo import PURPOSES as DEMO_PURPOSES
from consent.models import OPTIONAL_PURPOSES, ConsentRecord, PurposeSlug
from consent.visitor.services import RECORD_COLUMNS, RECORD_PARAMETERS


def test_optional_purposes_are_every_purpose_but_the_necessary_one():
    assert set(OPTIONAL_PURPOSES) == set(PurposeSlug) - {PurposeSlug.NECESSARY}


@pytest.mark.parametrize("purpose", OPTIONAL_PURPOSES)
def test_each_optional_purpose_has_a_boolean_column_in_the_record(purpose):
    field = ConsentRecord._meta.get_field(purpose)
    assert isinstance(field, models.BooleanField) and not field.null


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", OPTIONAL_PURPOSES)
def test_each_optional_purpose_has_a_column_in_the_daily_roll_up(purpose):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [DAILY_TABLE, purpose],
        )
        assert cursor.fetchone() == ("integer",)


@pytest.mark.django_db
def test_the_decision_function_takes_every_column_of_a_record():
    # consent_record_decision() (migration 0010) inserts the columns it has parameters for: a purpose
    # column without one would be left to its default in every record.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT unnest(proargnames) FROM pg_proc
            WHERE proname = 'consent_record_decision' AND pronamespace = current_schema()::regnamespace
            """
        )
        parameters = {name for (name,) in cursor.fetchall()}
    assert set(RECORD_PARAMETERS) <= parameters
    assert {*OPTIONAL_PURPOSES, "consent_id", "decision_id", "banner_hash"} <= set(RECORD_COLUMNS)


@pytest.mark.parametrize("purpose", [*OPTIONAL_PURPOSES, PurposeSlug.NECESSARY])
def test_each_purpose_maps_to_consent_mode_types(purpose):
    assert settings.CONSENT_GTM_MAPPING[purpose], f"CONSENT_GTM_MAPPING has no entry for {purpose}"


@pytest.mark.parametrize("purpose", OPTIONAL_PURPOSES)
def test_each_optional_purpose_has_a_chart_colour(purpose):
    assert charts.COLORS[purpose].startswith("#")


def test_the_log_admin_the_export_and_the_demo_list_every_purpose():
    assert set(OPTIONAL_PURPOSES) <= set(ConsentRecordAdmin.list_display)
    assert set(OPTIONAL_PURPOSES) <= set(ConsentRecordAdmin.list_filter)
    assert set(OPTIONAL_PURPOSES) <= {name for name, _expr in export.COLUMNS}
    assert {p.slug for p in DEMO_PURPOSES} == set(PurposeSlug)
