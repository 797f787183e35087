"""Collected static files: our scripts and styles minified before WhiteNoise hashes and compresses."""

import gzip
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

OURS = ["js/consent.js", "css/consent.css", "css/site.css", "css/leads.css"]


def read(storage, name: str) -> bytes:
    with storage.open(name) as file:
        return file.read()


@pytest.mark.parametrize("name", OURS)
def test_our_files_are_collected_minified_under_both_names(collected_static, name):
    source = (Path(settings.BASE_DIR) / "static" / name).read_bytes()
    hashed = collected_static.stored_name(name)
    minified = read(collected_static, hashed)
    assert b"/*" not in minified and len(minified) < len(source)
    assert read(collected_static, name) == minified  # the unhashed copy too
    assert gzip.decompress(read(collected_static, f"{hashed}.gz")) == minified


@pytest.mark.parametrize("name", OURS)
def test_the_hashed_name_is_of_the_minified_bytes(collected_static, name):
    # Otherwise a change that only alters the minified file would keep its cached name.
    hashed = collected_static.stored_name(name)
    assert hashlib.md5(read(collected_static, hashed)).hexdigest()[:12] in hashed


@pytest.mark.parametrize("name", ["vendor/friendlycaptcha/site.min.js", "admin/js/core.js", "admin/css/base.css"])
def test_vendored_and_other_apps_files_are_collected_as_they_are(collected_static, name):
    source = Path(finders.find(name)).read_bytes()
    assert read(collected_static, name) == source
    # The hashed file differs only where the manifest storage rewrote url()s to hashed names.
    assert read(collected_static, collected_static.stored_name(name)).count(b"\n") == source.count(b"\n")


def test_collecting_again_changes_nothing(collected_static):
    # The second run skips the unchanged copies, which the first one minified.
    before = {name: collected_static.stored_name(name) for name in OURS}
    contents = {name: read(collected_static, name) for name in OURS}
    call_command("collectstatic", interactive=False, verbosity=0)
    collected_static.load_manifest()
    assert {name: collected_static.stored_name(name) for name in OURS} == before
    assert {name: read(collected_static, name) for name in OURS} == contents
