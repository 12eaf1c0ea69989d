"""The stubs and annotations: mypy --strict on a typed usage file, and stubtest of
the native module against its .pyi."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent

pytestmark = pytest.mark.skipif(shutil.which("mypy") is None and subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode != 0, reason="mypy not installed")


def test_mypy_strict_on_typed_usage():
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent", str(HERE / "typed_usage.py")],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_stubtest_native_module():
    r = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "cvdscreen._cvdscreen", "--ignore-missing-stub"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
