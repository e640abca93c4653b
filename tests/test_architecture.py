"""The structure the rules rely on: one engine changes a case's state, ``core`` knows no
domain, every route runs its database work in one hop and declares who may use it."""

import ast
from pathlib import Path

from fastapi.routing import APIRoute

from service.core.routing import UnitOfWorkRoute
from service.core.settings import PROJECT_ROOT
from service.main import DEV_PAGES, FIRST_PAGES, PAGES, ROUTERS, ops

SERVICE = PROJECT_ROOT / "service"
ENGINE = SERVICE / "procedure.py"


def modules(folder: Path = SERVICE) -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in folder.rglob("*.py")]


def test_only_the_procedure_engine_changes_a_cases_state_or_writes_events():
    offenders = []
    for path, tree in modules():
        if path == ENGINE:
            continue
        for node in ast.walk(tree):
            # case.state = ... (request.state is Starlette's, not a case's)
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == "state"
                        and not (
                            isinstance(target.value, ast.Name) and target.value.id == "request"
                        )
                    ):
                        offenders.append(f"{path}:{node.lineno}: assigns .state")
            # CaseEventRow(...) or insert/update/delete(CaseEventRow): only the engine
            if isinstance(node, ast.Call):
                func = node.func.id if isinstance(node.func, ast.Name) else ""
                events = any(isinstance(a, ast.Name) and a.id == "CaseEventRow" for a in node.args)
                if func == "CaseEventRow" or (func in ("insert", "update", "delete") and events):
                    offenders.append(f"{path}:{node.lineno}: writes a CaseEventRow")
                # .values(state=...) in a bulk UPDATE
                if (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr == "values"
                    and any(k.arg == "state" for k in node.keywords)
                ):
                    offenders.append(f"{path}:{node.lineno}: sets state in an UPDATE")
    assert not offenders, "\n".join(offenders)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Which service modules each service module imports, wherever in the module the
    import stands (an import inside a function is an edge too)."""
    trees = {module_name(path): tree for path, tree in modules()}
    graph: dict[str, set[str]] = {}
    for name, tree in trees.items():
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from service.x import y``: the module y, or a name of the module x
                wanted = (f"{node.module}.{alias.name}" for alias in node.names)
                imported |= {m if m in trees else node.module for m in wanted}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        graph[name] = {m for m in imported if m in trees and m != name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for found in graph[todo.pop()] - seen:
            seen.add(found)
            todo.append(found)
    return seen


def test_service_modules_import_no_cycle():
    """A cycle makes the import order matter and invites imports hidden in functions to
    dodge it (core/errors <-> core/web, dossier/service <-> dossier/tasks were two)."""
    graph = import_graph()
    reach = {name: reachable(graph, name) for name in graph}
    cycles = {
        tuple(sorted({name} | {other for other in reach[name] if name in reach[other]}))
        for name in graph
        if name in reach[name]
    }
    assert not cycles, "\n".join(" <-> ".join(cycle) for cycle in sorted(cycles))


def test_the_app_does_not_import_development_code():
    """The demo data and the driver (``service/dev``) serve the tests, the bench and
    ``hearing demo-data``, the replay (``service/simulate``) ``hearing simulate``:
    nothing the app runs reaches them, not even through a function.
    Besides ``service.main`` and the doors, the app runs every domain's service and tasks
    module (the engine and the worker discover them)."""
    graph = import_graph()
    runs = {"api", "pages", "service", "tasks"}
    app = {name for name in graph if name == "service.main" or name.split(".")[-1] in runs}
    assert {"service.main", "service.cases.api", "service.decisions.pages"} <= app
    reached = {found for name in app for found in reachable(graph, name) | {name}}
    assert not {name for name in reached if name.startswith(("service.dev", "service.simulate"))}


def test_core_knows_no_domain():
    """``service/core`` is plumbing: it imports no domain package, no model."""
    offenders = []
    for path, tree in modules(SERVICE / "core"):
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("service.") and not name.startswith("service.core"):
                    offenders.append(f"{path}:{node.lineno}: imports {name}")
    assert not offenders, "\n".join(offenders)


def test_every_route_runs_in_one_hop():
    """A route class other than UnitOfWorkRoute would bring back one thread hop per
    dependency, and with it the connection-pool stall."""
    routers = [*FIRST_PAGES, *ROUTERS, *PAGES, ops]
    plain = [
        f"{route.path} {sorted(route.methods)}"
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and not isinstance(route, UnitOfWorkRoute)
    ]
    assert not plain


def test_every_page_declares_who_may_see_it():
    """Each page is public on purpose (listed here) or declares its roles."""
    public = {"/", "/sign-in", "/sign-out", "/language/{code}"}
    # The kiosk's code entry and its last page come before and after the applicant; the
    # countdown's end comes when the sign-in may have run out with the session window.
    public |= {"/kiosk", "/kiosk/done", "/kiosk/time-up"}
    # Halfway through signing in: the handler asks for the password step's short session.
    public |= {"/sign-in/code", "/sign-in/enrol"}
    # The identity provider's round trip: its signed ID token is the credential.
    public |= {"/sign-in/oidc", "/sign-in/oidc/callback"}
    # Opened by an administrator's one-time link: the link's token is the key.
    public |= {"/reset-password/{token}"}
    undeclared = []
    for router in (*FIRST_PAGES, *PAGES, *DEV_PAGES):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            declared = any(
                getattr(d.call, "allowed_roles", None) for d in route.dependant.dependencies
            )
            if not declared and route.path not in public:
                undeclared.append(route.path)
            if declared and route.path in public:
                undeclared.append(f"{route.path} is listed as public but declares roles")
    assert not undeclared


def test_pages_begin_as_writers():
    """A page read may end or touch the browser session: on SQLite it must not upgrade
    a read transaction to a write mid-way (that fails at once under concurrent writes)."""
    readers = [
        route.path
        for router in (*FIRST_PAGES, *PAGES)
        for route in router.routes
        if isinstance(route, UnitOfWorkRoute) and not route.writes
    ]
    assert not readers


def test_the_kiosk_form_read_that_may_hand_it_in_begins_as_a_writer():
    from service.questionnaires.api import router

    (route,) = [r for r in router.routes if getattr(r, "path", "") == "/kiosk/form"]
    assert isinstance(route, UnitOfWorkRoute)
    assert route.writes


def test_no_merge_conflict_markers_are_committed():
    """A merge once left conflict markers in app.css, and the browser dropped the rules
    between them (the officer's answers came out italic)."""
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git on PATH
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    markers = (b"<" * 7 + b" ", b"\n" + b"=" * 7 + b"\n", b">" * 7 + b" ")  # not literal here
    found = []
    for name in filter(None, tracked):
        path = PROJECT_ROOT / name.decode()
        if path.suffix in {".png", ".ogg", ".pdf", ".woff2", ".woff", ".ttf"} or not path.is_file():
            continue
        data = path.read_bytes()
        if any(marker in data for marker in markers):
            found.append(name.decode())
    assert not found, found
