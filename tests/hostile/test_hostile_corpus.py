"""The corpus script writes every part of the hostile corpus, as the README says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_generate_writes_every_part(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(HERE / "generate.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for part in ("inputs", "rules", "pages"):
        assert any((tmp_path / part).iterdir()), part
        assert f"{tmp_path / part}: " in proc.stdout
    assert "Traceback" not in proc.stderr
