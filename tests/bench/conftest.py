"""Where the public benchmark data is: `$QA_BENCH_DATA`, or `shared/bench` beside this checkout.

Without it the tests that need it skip locally and fail on CI (CI=true), where it must be present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_data() -> Path:
    if os.environ.get("QA_BENCH_DATA"):
        places = [Path(os.environ["QA_BENCH_DATA"])]
    else:  # beside this checkout, or beside the one it was cloned from
        places = [checkout.parent / "shared" / "bench" for checkout in [REPO, *_origin_checkout()]]
    root = next((place for place in places if _has_data(place)), places[0])
    if not _has_data(root):
        message = f"benchmark data not found at {root}: set QA_BENCH_DATA to the folder holding squad/ and realtimeqa/"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


def _has_data(root: Path) -> bool:
    return (root / "squad" / "dev-v1.1.json").is_file()


def _origin_checkout() -> list[Path]:
    """The checkout this clone was made from, when it is a local folder (a clone made in a temporary folder)."""
    import subprocess

    done = subprocess.run(["git", "remote", "get-url", "origin"], cwd=REPO, capture_output=True, text=True)
    url = done.stdout.strip()
    return [Path(url).resolve()] if done.returncode == 0 and url and Path(url).is_dir() else []
