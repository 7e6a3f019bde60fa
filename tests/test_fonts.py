"""The PDF's fonts are found the same way everywhere: DejaVu ships, the CJK fallback is looked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from origincert import fonts


@pytest.fixture
def no_system_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no font folders at all (a bare container, a fresh Windows user...)."""
    empty = tmp_path / "system"
    empty.mkdir()
    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [empty])
    monkeypatch.delenv(fonts.FONT_DIR_ENV, raising=False)
    return empty


def test_the_latin_fonts_ship_with_the_package(no_system_fonts: Path) -> None:
    found = {role: path for role, path, _ in fonts.font_files()}
    for role in ("sans", "sans-bold", "mono"):
        assert found[role].is_file() and found[role].parent == fonts.SHIPPED, role
        assert found[role].read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType file
    assert (fonts.SHIPPED / "LICENSE-DejaVu.txt").is_file()
    assert not found["cjk"].exists()  # not shipped: the PDF's error will name the package


def test_the_cjk_fallback_is_found_in_nested_system_folders(
    no_system_fonts: Path, tmp_path: Path
) -> None:
    nested = no_system_fonts / "truetype" / "droid"
    nested.mkdir(parents=True)
    font = nested / "DroidSansFallbackFull.ttf"
    shutil.copy(fonts.SHIPPED / "DejaVuSans.ttf", font)  # any TrueType file stands in
    found = {role: path for role, path, _ in fonts.font_files()}
    assert found["cjk"] == font


def test_a_font_folder_given_wins(
    no_system_fonts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(fonts.SHIPPED / "DejaVuSansMono.ttf", mine / "DejaVuSans.ttf")
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(mine))
    found = {role: path for role, path, _ in fonts.font_files()}
    assert found["sans"] == mine / "DejaVuSans.ttf" and found["mono"].parent == fonts.SHIPPED


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_each_platform_has_font_folders(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.sys, "platform", platform)
    dirs = fonts.system_font_dirs()
    assert dirs and all(isinstance(d, Path) for d in dirs)
    assert any("Fonts" in str(d) or "fonts" in str(d) for d in dirs)
