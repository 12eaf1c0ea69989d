import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
SAMPLE = REPO / "examples" / "data" / "screening_sample.csv"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release CLI binary (built once if missing; test.sh builds it first)."""
    exe = Path(os.environ.get("CVDSCREEN_CLI", REPO / "target" / "release" / "cvdscreen"))
    if not exe.exists():
        subprocess.run(
            ["cargo", "build", "--release", "-p", "cvdscreen-cli"], cwd=REPO, check=True
        )
    return exe
