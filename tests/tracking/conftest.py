from __future__ import annotations

import pytest


@pytest.fixture
def message(db):
    from tests.tracking.factories import make_message

    return make_message()


@pytest.fixture
def recipient(db):
    from tests.tracking.factories import make_recipient

    return make_recipient()
