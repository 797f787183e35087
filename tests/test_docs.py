"""The docs say what the code does: every path and module they name exists, and every environment
variable the settings read is listed in .env.example with a comment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "docs" / "decisions").glob("*.md"))]
# `code` spans in Markdown.
CODE = re.compile(r"`([^`\n]+)`")
# What reads as a path of the repository: a folder of ours, then more.
TOP = (
    "consent/",
    "tracking/",
    "leads/",
    "scanner/",
    "guards/",
    "ratelimit/",
    "exports/",
    "nocrm_site/",
    "templates/",
    "static/",
    "tests/",
    "bench/",
    "docs/",
    "deploy/",
    "locale/",
    ".ci/",
)
MODULE = re.compile(r"(consent|tracking|leads|scanner|guards|ratelimit|exports|nocrm_site)(\.[a-z_][a-z0-9_]*)+")


def named_paths(text: str) -> set[str]:
    found = set()
    for span in CODE.findall(text):
        span = span.strip().split(" ")[0].split(":")[0].rstrip(".,;")
        if span.startswith(TOP) and "*" not in span and "<" not in span and "{" not in span:
            found.add(span)
    return found


def path_exists(path: str) -> bool:
    """A file or folder, or ``scanner/services.start_scan``: a module's file and a name in it."""
    if (ROOT / path.rstrip("/")).exists():
        return True
    module, _, name = path.rpartition(".")
    source = ROOT / f"{module}.py"
    return bool(module) and "/" not in name and source.is_file() and name in source.read_text()


def module_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):  # consent.visitor.snapshot.get_snapshot: a module, then a name
        base = ROOT.joinpath(*parts[:cut])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return cut >= len(parts) - 1
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_and_module_a_doc_names_exists(doc):
    text = doc.read_text()
    missing = sorted(p for p in named_paths(text) if not path_exists(p))
    modules = {m.group(0) for span in CODE.findall(text) if (m := MODULE.fullmatch(span.strip()))}
    missing += sorted(m for m in modules if not module_exists(m))
    assert missing == []


def settings_variables() -> set[str]:
    tree = ast.parse((ROOT / "nocrm_site" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        function = node.func
        reads_env = (isinstance(function, ast.Name) and function.id == "env") or (
            isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name) and function.value.id == "env"
        )
        if reads_env and isinstance(node.args[0].value, str):
            names.add(node.args[0].value)
    return names


def test_every_variable_the_settings_read_is_in_env_example_with_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = {}
    for number, line in enumerate(lines):
        match = re.match(r"^#?\s?([A-Z][A-Z0-9_]+)=", line)
        if match:
            listed[match.group(1)] = number
    names = settings_variables()
    assert len(names) > 60
    assert sorted(names - set(listed)) == []
    # Each one comes after a comment that says what it is (a comment line in the block above it).
    uncommented = []
    for name in names:
        above = lines[: listed[name]]
        block = []
        for line in reversed(above):
            if not line.strip():
                break
            block.append(line)
        if not any(
            line.startswith("#") and "=" not in line.split()[1 if len(line.split()) > 1 else 0] for line in block
        ):
            uncommented.append(name)
    assert sorted(uncommented) == []
