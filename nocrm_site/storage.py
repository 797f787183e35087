"""Static files as browsers get them: our own JavaScript and CSS minified, then hashed and compressed.

Our sources under static/ are written to be read (house style). When static files are collected,
each of our .js and .css files is minified (rjsmin, rcssmin) in STATIC_ROOT before WhiteNoise's
storage hashes and compresses it, so that the hashed name, the file and its .gz (and .br) are all of
the minified bytes. Vendored files (static/vendor/, minified by their authors) and other apps' files
(the admin's) are collected as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

MINIFIERS: dict[str, Callable[[str], str]] = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed files, of our scripts and styles minified first."""

    # Relative to STATIC_ROOT: already minified by their authors, kept byte for byte.
    keep_as_is = ("vendor/",)

    def post_process(
        self, paths: dict[str, tuple[Storage, str]], dry_run: bool = False, **options: Any
    ) -> Iterator[tuple[str, str | None, Any]]:
        if not dry_run:
            # The hashing reads each file from the storage given here: ours, minified, from STATIC_ROOT.
            paths = {**paths, **{name: (self, name) for name in self._minify(paths)}}
        yield from super().post_process(paths, dry_run=dry_run, **options)

    def _minify(self, paths: dict[str, tuple[Storage, str]]) -> Iterator[str]:
        """Write our files minified over their copies in STATIC_ROOT.

        From the sources, not the copies: collectstatic leaves an unchanged copy in place, already
        minified by the previous run.
        """
        for name, (source, path) in paths.items():
            minify = MINIFIERS.get(Path(name).suffix)
            if minify is None or name.startswith(self.keep_as_is) or not _is_ours(source):
                continue
            with source.open(path) as original:
                content = minify(original.read().decode("utf-8"))
            if self.exists(name):
                self.delete(name)
            self._save(name, ContentFile(content.encode("utf-8")))
            yield name


def _is_ours(source: Storage) -> bool:
    """Whether a file comes from the project's STATICFILES_DIRS, rather than from an app."""
    location = getattr(source, "location", None)
    if location is None:
        return False
    roots = (entry[1] if isinstance(entry, tuple | list) else entry for entry in settings.STATICFILES_DIRS)
    return Path(location).resolve() in {Path(root).resolve() for root in roots}
