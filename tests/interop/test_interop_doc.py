"""docs/INTEROP.md has one row per field path of the certificate model, and its pointers are the
ones the mapping computes."""

from __future__ import annotations

import re
from pathlib import Path

from origincert.interop.mapping import model_paths, pointer_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "INTEROP.md"


def _rows() -> list[list[str]]:
    text = DOC.read_text("utf-8")
    table = text.split("<!-- field-table:start -->")[1].split("<!-- field-table:end -->")[0]
    lines = [line for line in table.strip().splitlines()[2:] if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_one_row_per_model_path() -> None:
    paths = [row[0].strip("`") for row in _rows()]
    assert len(paths) == len(set(paths))
    assert paths == model_paths()


def test_pointers_in_the_table_are_the_mapping_s() -> None:
    for row in _rows():
        path, pointer = row[0].strip("`"), row[1].strip("`")
        concrete = re.sub(r"\[\]", "[0]", path)
        assert pointer.replace("/N/", "/0/").removesuffix("/N") == pointer_of(concrete), path
