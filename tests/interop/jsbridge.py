"""Run tests/interop/js/crossverify.mjs with one JSON request (offline: every document is given)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from origincert.interop.loader import shipped_loader

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "interop" / "js" / "crossverify.mjs"
TRUSTVC_CONTEXTS = ROOT / "node_modules" / "@trustvc" / "w3c-context" / "dist" / "context"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"


def node_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "@trustvc").is_dir()


def base_documents() -> dict[str, Any]:
    """Our shipped contexts, and the two DID-side contexts from TrustVC's own bundle."""
    docs = dict(shipped_loader().documents)
    docs[MULTIKEY_V1] = json.loads((TRUSTVC_CONTEXTS / "multikey-v1.json").read_text())
    docs[DID_V1] = json.loads((TRUSTVC_CONTEXTS / "did-v1.json").read_text())
    return docs


def run(op: str, **request: Any) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps({"op": op, **request}).encode(),
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    out = json.loads(proc.stdout or b"{}")
    if "exception" in out or proc.returncode != 0:
        raise AssertionError(
            f"node failed ({proc.returncode}): {out.get('exception')}\n{proc.stderr.decode()[-2000:]}"
        )
    return out
