"""The consent manager's weight: what every visitor downloads before a choice, as it is served."""

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

from consent.visitor.assets import UI_BUDGET_BYTES, UI_FILES, served_sizes

SOURCES = Path(settings.BASE_DIR) / "static"


def collected(storage, name: str) -> bytes:
    with storage.open(storage.stored_name(name)) as file:
        return file.read()


def test_consent_script_and_styles_stay_within_budget_as_served(collected_static):
    sizes = served_sizes()
    assert sum(sizes.values()) <= UI_BUDGET_BYTES, f"{sizes}: {sum(sizes.values())} bytes gzipped"


@pytest.mark.parametrize("name", UI_FILES)
def test_the_budget_counts_the_bytes_whitenoise_sends_for_gzip(collected_static, client, name):
    response = client.get(static(name), headers={"accept-encoding": "gzip"})
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert len(body) == served_sizes()[name]
    assert gzip.decompress(body) == collected(collected_static, name)


@pytest.mark.parametrize("name", UI_FILES)
def test_browsers_get_the_consent_ui_minified(collected_static, name):
    source, served = (SOURCES / name).read_bytes(), collected(collected_static, name)
    assert b"/*" in source and b"/*" not in served  # the comments stay in the source
    assert len(served) < len(source) and served.count(b"\n") * 5 < source.count(b"\n")


@pytest.mark.skipif(shutil.which("node") is None, reason="node checks the syntax; the suite does not need it")
def test_the_minified_script_still_parses(collected_static, tmp_path):
    # The browser tests run the minified file too (tests/e2e: collected, served by WhiteNoise).
    script = tmp_path / "consent.js"
    script.write_bytes(collected(collected_static, "js/consent.js"))
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
