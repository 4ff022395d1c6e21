"""The package's shape: imports flow one way down the stages, no module imports itself back
through a cycle (function-level and TYPE_CHECKING imports included), and every package is
installed."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "report_rag"

# Lowest first. A module may import its own stage and the stages before it, never one after.
STAGES = (
    "base",  # types/, errors, settings, text, registry
    "parse",
    "extract",
    "embed",
    "store",
    "retrieval",
    "llm",
    "answer",
    "pipeline",
    "present",
    "api",
    "cli",
)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in STAGES else "base"


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every report_rag module `path` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = module_name(path, root)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from report_rag.store import library` names a module, not an attribute
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "report_rag" or name.startswith("report_rag.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name] = {target for target in imports_of(path) if target in modules and target != name}
    return edges


def test_imports_flow_down_the_stages() -> None:
    upward = []
    for module, targets in graph().items():
        mine = STAGES.index(stage_of(module))
        for target in targets:
            if target == "report_rag":  # the version string
                continue
            theirs = STAGES.index(stage_of(target))
            if theirs > mine:
                upward.append(f"{module} -> {target}")
    assert not upward, "imports against the stage order:\n" + "\n".join(sorted(upward))


def _package_of(module: str) -> str:
    return module.rpartition(".")[0]


def test_no_import_cycles() -> None:
    edges = graph()
    # A package's __init__ re-exports its modules; edges into an __init__ from its own
    # modules would be cycles by construction, so modules import siblings directly.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_stage_packages_name_their_public_api() -> None:
    for stage in (*STAGES[1:], "types"):
        init = PACKAGE / stage / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init} has no docstring"
        if stage != "cli":
            assigns = [n for n in tree.body if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
            assert assigns, f"{init} has no __all__"


def test_every_package_is_installed_and_nothing_generic() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {module_name(p.parent) for p in PACKAGE.rglob("__init__.py")} | {"report_rag_app"}
    assert listed == on_disk
    assert all(name.startswith("report_rag") for name in listed)
    assert config["package-dir"] == {"report_rag_app": "app"}


@pytest.mark.parametrize("bad", ["import report_rag.answer.qa", "from report_rag.answer import qa"])
def test_the_checker_sees_function_level_upward_imports(tmp_path: Path, bad: str) -> None:
    # A check that cannot fail is no check: plant an upward import inside a function.
    module = tmp_path / "report_rag" / "parse" / "planted.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"def later():\n    {bad}\n", encoding="utf-8")
    targets = imports_of(module, tmp_path)
    assert any(stage_of(t) == "answer" for t in targets)
    assert STAGES.index(stage_of(module_name(module, tmp_path))) < STAGES.index("answer")
