"""A real install is a wheel, not a checkout: everything the app reads at run time is inside it.

An editable install reads templates/ from the checkout, so only building the wheel shows what
`pip install .` on a server would miss (it once shipped without a single template).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_templates_catalogs_migrations_profiles_and_fonts(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    def shipped(folder: str, pattern: str, inside: str) -> list[str]:
        files = [p.relative_to(ROOT / folder) for p in (ROOT / folder).glob(pattern)]
        assert files, f"nothing matches {folder}/{pattern}"
        return sorted(str(f) for f in files if f"{inside}/{f.as_posix()}" not in names)

    assert shipped("templates", "**/*.html", "elections/templates") == []
    assert (
        shipped("elections/translations", "*/LC_MESSAGES/messages.po", "elections/translations")
        == []
    )
    assert shipped("elections/migrations/versions", "*.py", "elections/migrations/versions") == []
    assert shipped("elections/rules/profiles", "*.json", "elections/rules/profiles") == []
    assert shipped("elections/static", "**/*.*", "elections/static") == []
