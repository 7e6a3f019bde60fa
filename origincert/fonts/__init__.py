"""The fonts the PDF is printed with, found the same way on every system.

DejaVu Sans, Sans Bold and Sans Mono ship with the package (``origincert/fonts/*.ttf``, DejaVu
2.37 as Debian's ``fonts-dejavu-core`` 2.37-6 has them; licence in ``LICENSE-DejaVu.txt``), so a
certificate prints the same on Linux, macOS and Windows. The CJK fallback (Droid Sans Fallback,
4 MB, needed only for Chinese, Japanese and Korean text) is looked for: in
``$ORIGINCERT_FONT_DIR``, then in the system's font folders (Linux, macOS, Windows).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["FONT_DIR_ENV", "font_files", "system_font_dirs"]

FONT_DIR_ENV = "ORIGINCERT_FONT_DIR"
SHIPPED = Path(__file__).parent

# role -> (file names to look for, in order; what to install when none is found)
_ROLES: dict[str, tuple[tuple[str, ...], str]] = {
    "sans": (("DejaVuSans.ttf",), "fonts-dejavu-core"),
    "sans-bold": (("DejaVuSans-Bold.ttf",), "fonts-dejavu-core"),
    "mono": (("DejaVuSansMono.ttf",), "fonts-dejavu-core"),
    "cjk": (("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf"), "fonts-droid-fallback"),
}


def system_font_dirs() -> list[Path]:
    """Where this platform keeps fonts, most specific first."""
    home = Path.home()
    if sys.platform == "darwin":
        return [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        dirs = [Path(local) / "Microsoft/Windows/Fonts"] if local else []
        return [*dirs, Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share")
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [
        data_home / "fonts",
        home / ".fonts",
        *(Path(d) / "fonts" for d in data_dirs.split(":") if d),
    ]


def _find(names: tuple[str, ...], dirs: list[Path]) -> Path | None:
    for folder in dirs:
        for name in names:
            direct = folder / name
            if direct.is_file():
                return direct
        if folder.is_dir():
            for name in names:  # fonts live in sub-folders (truetype/droid/...) on Linux
                found = next(iter(sorted(folder.rglob(name))), None)
                if found is not None:
                    return found
    return None


def font_files(font_dir: str | os.PathLike[str] | None = None) -> tuple[tuple[str, Path, str], ...]:
    """``(role, path, package)`` for each font role: the shipped file, ``font_dir`` (default
    ``$ORIGINCERT_FONT_DIR``) or a system font folder. A role found nowhere gets a path that does
    not exist, so the PDF's error names the package to install."""
    chosen = font_dir or os.environ.get(FONT_DIR_ENV)
    dirs = [*([Path(chosen)] if chosen else []), SHIPPED, *system_font_dirs()]
    out = []
    for role, (names, package) in _ROLES.items():
        path = _find(names, dirs) or Path("/usr/share/fonts/truetype/missing") / names[0]
        out.append((role, path, package))
    return tuple(out)
