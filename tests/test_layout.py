"""The test tree's layout: shared code lives in helper modules, never in a test module or a conftest.

A test module importing another ties the two together (and an imported ``test_`` name is collected
twice); a conftest is for pytest to load, and hands fixtures to tests by name. Shared code goes in
tests/servers.py, tests/html.py, tests/<app>/factories.py, tests/<app>/helpers.py and the like.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module_or_conftest(module: str) -> bool:
    name = module.rsplit(".", 1)[-1]
    return name.startswith("test_") or name == "conftest"


def _imported_modules(path: Path, package: str) -> list[str]:
    """Every module ``path`` imports, absolute, including ``from package import module`` names."""
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y, from .. import y
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            modules += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return modules


def forbidden_imports(root: Path) -> list[str]:
    """``path: module`` for each import of a test module or a conftest by a test module or a conftest."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if not (path.name.startswith("test_") or path.name == "conftest.py"):
            continue
        package = ".".join((root.name, *path.relative_to(root).parent.parts))
        for module in _imported_modules(path, package):
            if _is_test_module_or_conftest(module):
                found.append(f"{path.relative_to(root)}: {module}")
    return found


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def conftest_functions_that_are_not_fixtures(root: Path) -> list[str]:
    """``path: name`` for each function of a conftest that is neither a fixture nor a pytest hook."""
    found = []
    for path in sorted(root.rglob("conftest.py")):
        for node in ast.parse(path.read_text(), filename=str(path)).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not (
                node.name.startswith("pytest_") or any(_is_fixture(d) for d in node.decorator_list)
            ):
                found.append(f"{path.relative_to(root)}: {node.name}")
    return found


def test_no_test_module_or_conftest_imports_a_test_module_or_a_conftest() -> None:
    assert forbidden_imports(TESTS) == []


def test_conftests_define_only_fixtures_and_hooks() -> None:
    assert conftest_functions_that_are_not_fixtures(TESTS) == []


def test_the_layout_check_finds_each_kind_of_import(tmp_path: Path) -> None:
    root = tmp_path / "tests"
    (root / "app").mkdir(parents=True)
    (root / "app" / "helpers.py").write_text("from tests.app.test_one import x\n")  # not a test module: allowed
    (root / "app" / "test_ok.py").write_text("from tests.app.helpers import x\nimport tests.servers\n")
    (root / "app" / "test_bad.py").write_text(
        "from tests.app.test_one import x\n"
        "import tests.conftest\n"
        "from tests.app import test_two\n"
        "from . import conftest\n"
        "from .test_three import y\n"
        "def test_late():\n"
        "    from ..conftest import z\n"
    )
    (root / "conftest.py").write_text("from tests.app.test_one import fixture\n")
    assert forbidden_imports(root) == [
        "app/test_bad.py: tests.app.test_one",
        "app/test_bad.py: tests.conftest",
        "app/test_bad.py: tests.app.test_two",
        "app/test_bad.py: tests.app.conftest",
        "app/test_bad.py: tests.app.test_three",
        "app/test_bad.py: tests.conftest",
        "conftest.py: tests.app.test_one",
    ]


def test_the_conftest_check_finds_helpers(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "@pytest.fixture\ndef one(): ...\n"
        "@pytest.fixture(scope='session')\ndef two(): ...\n"
        "def pytest_configure(config): ...\n"
        "class _Helper: ...\n"
        "def consent_post(client): ...\n"
    )
    (tmp_path / "app" / "conftest.py").write_text("def _wait(): ...\n")
    assert conftest_functions_that_are_not_fixtures(tmp_path) == ["app/conftest.py: _wait", "conftest.py: consent_post"]
