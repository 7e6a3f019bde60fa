"""The one bounded JSON reader, and the recursion limit that keeps a deep input from crashing us."""

import subprocess
import sys

import pytest

from origincert.errors import DocumentError
from origincert.safejson import MAX_JSON_DEPTH, load_json


@pytest.mark.parametrize(
    "text",
    [
        '{"number": "\\ud800"}',
        '{"\\udfff": 1}',
        '{"a": ["x", {"b": "\\ud83d"}]}',
    ],
)
def test_lone_surrogate_escapes_are_refused(text: str) -> None:
    with pytest.raises(DocumentError) as err:
        load_json(text)
    assert err.value.code == "json_not_utf8"


def test_a_surrogate_pair_is_text() -> None:
    assert load_json('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


def test_a_str_holding_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(DocumentError) as err:
        load_json('{"a": "\ud800"}')
    assert err.value.code == "json_not_utf8"


def test_nesting_beyond_the_bound_is_refused_before_parsing() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(DocumentError) as err:
        load_json('{"a": ' + deep + "}", max_bytes=10**6)
    assert err.value.code == "json_too_deep"
    load_json('{"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}")


@pytest.mark.parametrize("first", ["web3", "origincert.signing"])
def test_recursion_limit_is_put_back_after_py_ecc(first: str) -> None:
    code = (
        "import sys, importlib; importlib.import_module('origincert');"
        f"importlib.import_module({first!r}); import web3, eth_account;"
        "print(sys.getrecursionlimit())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) <= 1000


def test_recursion_limit_is_put_back_when_web3_came_first() -> None:
    code = "import sys, web3; import origincert; print(sys.getrecursionlimit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) <= 1000
