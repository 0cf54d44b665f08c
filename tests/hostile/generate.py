"""Write the whole hostile corpus: bad inputs, bad rule files, hostile pages.

Usage: python tests/hostile/generate.py DEST

Every case is built in code by the three generators next to this file, each of
which also runs on its own; the tests in this folder generate the corpus into a
temporary folder and assert each case's outcome.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_inputs  # noqa: E402
import gen_pages  # noqa: E402
import gen_rules  # noqa: E402

PARTS = {"inputs": gen_inputs.generate, "rules": gen_rules.generate, "pages": gen_pages.generate}


def generate(dest: Path) -> dict[str, list]:
    """Write every part into its own subfolder of ``dest``; return each part's cases."""
    return {name: make(dest / name) for name, make in PARTS.items()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    dest = Path(argv[0])
    for name, cases in generate(dest).items():
        print(f"{dest / name}: {len(cases)} cases")
        for case in cases:
            print(f"  {getattr(case, 'name', None) or case.attack}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
