"""Runs the RUN lines of tests/filecheck/*.mlir (`ziggurat opt ... | filecheck %s`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FILES = sorted((Path(__file__).parent / "filecheck").glob("*.mlir"))


@pytest.mark.skipif(shutil.which("filecheck") is None, reason="filecheck is not installed")
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_filecheck(path: Path):
    runs = [line.split("RUN:", 1)[1].strip() for line in path.read_text().splitlines() if "// RUN:" in line]
    assert runs, f"{path} has no RUN line"
    for cmd in runs:
        cmd = cmd.replace("%s", str(path))
        p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, f"{cmd}\n{p.stdout}\n{p.stderr}"
