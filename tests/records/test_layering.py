"""Layering inside records: customers ← deals ← service (an arrow = may import).

Customers imports neither deals nor service, and deals does not import service; the top-level
entry points of records (`records.models`, `records.urls`, …) gather all three domains, so a
domain module imports its models from the domain that defines them, not from there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RECORDS = Path(__file__).resolve().parents[2] / "portal" / "records"
DOMAINS = ("customers", "deals", "service")
# What each domain may import from records: itself and the domains before it.
ALLOWED = {domain: set(DOMAINS[: index + 1]) for index, domain in enumerate(DOMAINS)}


def module_name(path: Path) -> str:
    parts = path.relative_to(RECORDS.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement in the file names, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            # `from portal.records import deals` names a package too.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def violations(domain: str) -> list[str]:
    wrong: list[str] = []
    for path in sorted((RECORDS / domain).rglob("*.py")):
        reported: set[int] = set()
        for line, module in imported_modules(path):
            if line in reported:
                continue
            parts = module.split(".")
            if parts[:2] != ["portal", "records"] or len(parts) < 3:
                continue
            target = parts[2]
            if target in DOMAINS and target not in ALLOWED[domain]:
                wrong.append(f"{path.relative_to(RECORDS)}:{line} imports {module}")
                reported.add(line)
            elif target not in DOMAINS and len(parts) == 3 and target != "apps":
                # records.models / records.urls / … gather every domain.
                wrong.append(f"{path.relative_to(RECORDS)}:{line} imports {module}")
                reported.add(line)
    return wrong


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_imports_only_itself_and_earlier_domains(domain):
    assert (RECORDS / domain).is_dir()
    assert violations(domain) == []


def test_the_check_sees_a_wrong_arrow(tmp_path, monkeypatch):
    # given a customers module importing deals (directly and relatively)
    fake = tmp_path / "portal" / "records"
    (fake / "customers").mkdir(parents=True)
    (fake / "customers" / "bad.py").write_text(
        "from portal.records.deals.models import Deal\nfrom ..service import actions\n"
        "from portal.records.models import Customer\nfrom .models import Contact\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["RECORDS"]), "RECORDS", fake)
    # when checked, then all three wrong imports are reported and the allowed one is not
    assert violations("customers") == [
        "customers/bad.py:1 imports portal.records.deals.models",
        "customers/bad.py:2 imports portal.records.service",
        "customers/bad.py:3 imports portal.records.models",
    ]
