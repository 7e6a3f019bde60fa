"""Every public exception is declared in ``origincert.errors`` under the one root."""

from __future__ import annotations

import ast
from pathlib import Path

import origincert
from origincert import errors

PACKAGE = Path(origincert.__file__).parent

# Raised and caught inside one module, never seen by a caller; each says so in its docstring.
INTERNAL = {
    ("verifier/subject.py", "FormatProblem"),
    ("audit/events.py", "UnknownEvent"),
    ("desk/models.py", "EventImmutable"),  # a guard on the ORM: recorded events never change
}


def _exception_classes() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in node.bases]
            if any(
                b.endswith(("Error", "Exception", "Unavailable", "Revert", "Failed")) for b in bases
            ):
                found.append((str(path.relative_to(PACKAGE)), node.name))
    return found


def test_every_public_exception_is_declared_in_errors() -> None:
    elsewhere = [
        (where, name)
        for where, name in _exception_classes()
        if where != "errors.py"
        and not name.startswith("_")
        and not where.startswith("cli/")  # Click exit-code mappings, not library errors
        and (where, name) not in INTERNAL
    ]
    assert elsewhere == []


def test_every_declared_exception_is_under_the_root_with_a_code() -> None:
    codes = set()
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.OriginCertError), name
        assert cls.__doc__, f"{name} has no docstring"
        codes.add(cls.code)
    assert len(codes) == len(errors.__all__)  # every family has its own default code


def test_old_import_paths_still_work() -> None:
    from origincert.audit.node import RpcError
    from origincert.issuer import IssuingError, NotAccredited
    from origincert.merkle import MerkleError
    from origincert.signing import SigningError

    assert (RpcError, IssuingError, NotAccredited, MerkleError, SigningError) == (
        errors.RpcError,
        errors.IssuingError,
        errors.NotAccredited,
        errors.MerkleError,
        errors.SigningError,
    )
