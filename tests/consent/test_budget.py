"""The consent manager's weight: what every visitor downloads before a choice."""

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"


def gzipped(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))


def test_consent_script_and_styles_stay_under_4_kb_gzipped():
    total = gzipped("js/consent.js") + gzipped("css/consent.css")
    assert total <= 4096, f"consent.js + consent.css = {total} bytes gzipped"


def test_consent_styles_stay_under_1_5_kb_gzipped():
    assert gzipped("css/consent.css") <= 1536


def test_consent_script_stays_under_2_kb_gzipped():
    assert gzipped("js/consent.js") <= 2048
