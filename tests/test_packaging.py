"""The wheel carries templates, static files, migrations and the sample content root."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], check=True)
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "course/__init__.py",
        "course/templates/course/layout.html",
        "course/static/course/style.css",
        "course/migrations/env.py",
        "course/migrations/script.py.mako",
        "course/sample_content/lessons/social-divide/course.yaml",
    ):
        assert required in names, f"{required} is not in the wheel"
    assert any(n.startswith("course/migrations/versions/0001") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: weasyprint>=70" in text


@pytest.mark.slow
def test_init_content_works_from_an_installed_wheel(tmp_path: Path) -> None:
    """Installed (not a checkout), the sample content comes from inside the package."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)], check=True)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from course.content import find_content_root, load_catalog;"
        "root = find_content_root(None); print(root);"
        "print(load_catalog(root).courses[0].title)"
    )
    out = subprocess.run([sys.executable, "-c", script, str(target)], check=True,
                         capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(target / "course" / "sample_content") in out
    assert "The Social Divide" in out
