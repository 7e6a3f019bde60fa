"""Issued files are written whole, and never over a different file."""

from __future__ import annotations

import pytest

from origincert.issuer.errors import IssuingError
from origincert.issuer.files import check_free, write_atomically


def test_write_is_whole_idempotent_and_never_clobbers(tmp_path):
    target = tmp_path / "A-1.coo.json"
    write_atomically(target, '{"a":"é"}\n')
    assert target.read_text(encoding="utf-8") == '{"a":"é"}\n'
    mtime = target.stat().st_mtime_ns
    write_atomically(target, '{"a":"é"}\n')  # a resumed batch writes the same bytes again
    assert target.stat().st_mtime_ns == mtime
    with pytest.raises(IssuingError) as e:
        write_atomically(target, '{"a":"other"}\n')
    assert e.value.code == "output_exists" and target.read_text(encoding="utf-8") == '{"a":"é"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["A-1.coo.json"]  # no temporary file left


def test_unwritable_folder_and_taken_names_are_refused(tmp_path):
    with pytest.raises(IssuingError) as e:
        write_atomically(tmp_path / "missing" / "A-1.coo.json", "{}")
    assert e.value.code == "output_unwritable"
    (tmp_path / "B-2.coo.json").write_text("{}")
    check_free(tmp_path, ["A-1.coo.json"])
    with pytest.raises(IssuingError, match="B-2.coo.json") as e:
        check_free(tmp_path, ["A-1.coo.json", "B-2.coo.json"])
    assert e.value.code == "output_exists"
