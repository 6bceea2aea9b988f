"""The library's import graph, read from the source: the rooms of README's architecture hold.

A newcomer relies on it: the edge (environment, Airflow connections, command line) sits on top, delivery (mail)
below it, and nothing below imports upwards or in a circle. Checked statically (every `import` in every module,
function-local ones too), so a lazy import cannot hide an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "nkru"
BASE = {"nkru.config", "nkru.paths", "nkru.clock", "nkru.untrusted", "nkru.redact", "nkru.aliases"}
MAX_LINES = 460


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every nkru module `path` imports (absolute or relative), function-local imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("nkru"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.startswith("nkru"):
                found.add(module)
                found.update(f"{module}.{a.name}" for a in node.names)
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {m for m in _imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def _room(module: str) -> str:
    if module in BASE:
        return "base"
    for room in ("edge", "mail", "ops"):
        if module == f"nkru.{room}" or module.startswith(f"nkru.{room}."):
            return room
    return "core"


ORDER = ["base", "core", "mail", "ops", "edge"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_room_above_its_own(module):
    mine = ORDER.index(_room(module))
    upward = sorted(m for m in GRAPH[module] if ORDER.index(_room(m)) > mine)
    assert not upward, f"{module} ({_room(module)}) imports {upward} from a room above it"


def test_mail_sends_what_alerts_queued_without_importing_alerts():
    """The delivery room reads queued rows through `store`; rules and queueing (`alerts`) stay above its concern."""
    mail = {m: sorted(t for t in GRAPH[m] if t == "nkru.alerts" or t.startswith("nkru.alerts.")) for m in MODULES}
    offenders = {m: t for m, t in mail.items() if _room(m) == "mail" and t}
    assert not offenders, f"mail modules importing alerts: {offenders}"


def _unit(module: str) -> str:
    """A module's top-level unit (nkru.store, nkru.alerts, nkru.relevance…): circles are looked for between units."""
    parts = module.split(".")
    if len(parts) < 2:
        return module
    return ".".join(parts[:3]) if parts[1] == "edge" else ".".join(parts[:2])


def test_no_import_circle_between_packages():
    units: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        units.setdefault(_unit(module), set()).update(_unit(t) for t in targets if _unit(t) != _unit(module))
    circles = []
    state: dict[str, int] = {}

    def visit(unit: str, trail: list[str]) -> None:
        state[unit] = 1
        for nxt in sorted(units.get(unit, ())):
            if state.get(nxt) == 1:
                circles.append(trail[trail.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[unit] = 2

    for unit in sorted(units):
        if unit not in state:
            visit(unit, [unit])
    assert not circles, "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_every_module_stays_short():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
