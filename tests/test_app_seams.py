"""Apps talk through module-level imports and owned seams (signals, hook registries), not hidden imports.

A function-level import hides a dependency from whoever reads the top of the
module; it stays only where a cycle or Django's app registry forces it, and a
comment on the same or the previous line says which.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CHECKED = ("orders", "payments", "checkout", "sellers", "catalogue_ext", "buyers", "exposure", "peken")


def _sources(apps):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def _is_import(text: str) -> bool:
    return text.lstrip().startswith(("from ", "import "))


def _unexplained(source: str) -> list[int]:
    """Line numbers of imports inside functions with no comment on their line or above their group."""
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 2
            while above >= 0 and _is_import(lines[above]):  # one comment may explain a group
                above -= 1
            if "#" not in lines[node.lineno - 1] and (above < 0 or not lines[above].lstrip().startswith("#")):
                found.append(node.lineno)
    return sorted(set(found))


def test_an_import_inside_a_function_says_why_it_is_not_at_the_top():
    # given the marketplace apps' and the project's own modules
    offenders = [
        f"{path.relative_to(ROOT)}:{n}" for path, source in _sources(CHECKED) for n in _unexplained(source)
    ]
    # then every function-level import carries a comment naming the cycle or registry that forces it
    assert offenders == []


def test_the_check_finds_a_bare_import_and_accepts_an_explained_one():
    # given a bare function-level import, an explained group, and an explained single one
    source = (
        "def a():\n    from x import y\n    return y\n\n"
        "def b():\n    # imported here: models are not ready\n    from x import y\n    import z\n\n"
        "def c():\n    import z  # a cycle through x\n"
    )
    # then only the bare one is reported
    assert _unexplained(source) == [2]


def test_payments_never_imports_the_apps_that_stand_on_it():
    # given the payments app's source
    offenders = []
    for path, source in _sources(["payments"]):
        for node in ast.walk(ast.parse(source)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in {"orders", "checkout", "sellers", "procurement", "reports"}
            ]
    # then it imports none of them (orders hears of a paid card through payments.signals)
    assert offenders == []
