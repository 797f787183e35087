"""No import cycles among the project's own modules: every package of the repository but tests/.

The graph is grimp's: it reads the modules' source, found afresh at each run, without importing
them. Every import counts, those inside functions and under ``if TYPE_CHECKING:`` too: deferring an
import hides a cycle from the interpreter, not from the reader (tracking.batch imported
tracking.services inside a method while services imported batch, until the SQL that writes events
got a module of its own, tracking/events.py).
"""

from __future__ import annotations

import graphlib
import itertools
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def project_packages() -> list[str]:
    """The repository's directories of Python modules (bench/ has no ``__init__.py``), the tests left out."""
    return sorted(
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and path.name.isidentifier() and path.name != "tests" and any(path.glob("*.py"))
    )


def find_cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One cycle, in import order with its first module again at the end; None when there is none."""
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as error:
        return error.args[1][::-1]  # graphlib lists each module before the one that imports it
    return None


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    lines = []
    for importer, imported in itertools.pairwise(cycle):
        [first, *_] = graph.get_import_details(importer=importer, imported=imported)
        lines.append(f"{importer}, line {first['line_number']}: {first['line_contents']}")
    return "\n".join(lines)


def test_the_project_has_no_import_cycle() -> None:
    packages = project_packages()
    assert {"bench", "consent", "leads", "nocrm_site", "tracking"} <= set(packages)
    graph = grimp.build_graph(*packages, cache_dir=None)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + describe(graph, cycle)


def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str) -> grimp.ImportGraph:
    """The graph of a throwaway package: ``first`` imports ``second``, whose source is given."""
    package = tmp_path / "cycle_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "first.py").write_text("from cycle_probe import second\n\nx = 1\n")
    (package / "second.py").write_text(second)
    monkeypatch.syspath_prepend(tmp_path)
    return grimp.build_graph("cycle_probe", cache_dir=None)


@pytest.mark.parametrize(
    ("second", "line"),
    [
        ("from cycle_probe import first\n", "line 1: from cycle_probe import first"),
        ("def later():\n    from cycle_probe.first import x\n", "line 2: from cycle_probe.first import x"),
    ],
    ids=["module-level", "inside-a-function"],
)
def test_a_cycle_between_two_modules_is_found(tmp_path, monkeypatch, second: str, line: str) -> None:
    graph = probe(tmp_path, monkeypatch, second)
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"cycle_probe.first", "cycle_probe.second"}
    assert set(describe(graph, cycle).splitlines()) == {
        "cycle_probe.first, line 1: from cycle_probe import second",
        f"cycle_probe.second, {line}",
    }


def test_modules_that_import_one_way_have_no_cycle(tmp_path, monkeypatch) -> None:
    assert find_cycle(probe(tmp_path, monkeypatch, "import json\n")) is None
