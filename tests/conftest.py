from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "ap-biden-putin-spun.txt"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline.load()
