"""What ``import lightsail_stub`` costs on top of ``import botocore``, and what it pulls in.

    python benchmarks/import_cost.py [--rounds 15]

Each import runs in a fresh interpreter (``python -c``), the variants interleaved; the
figure is the median wall time of the subprocess, so the interpreter's own start-up is in
every variant and cancels out of the differences.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, micros, table

VARIANTS = {
    "python (nothing)": "pass",
    "import botocore": "import botocore",
    "import botocore.session, botocore.client": "import botocore.session, botocore.client",
    "import lightsail_stub": "import lightsail_stub",
}
#: What ``import lightsail_stub`` must not import: each belongs to a front door or extra
#: that is loaded only when used.
MUST_NOT_IMPORT = ("hypothesis", "pytest", "_pytest", "http.server", "boto3", "moto")


def run_code(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def modules_after_import() -> list[str]:
    code = "import sys, json, lightsail_stub; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    loaded: list[str] = json.loads(output.stdout)
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    contenders = {name: (lambda n, code=code: run_code(code)) for name, code in VARIANTS.items()}
    medians = interleaved(contenders, rounds=args.rounds, per_round=1)
    base = medians["python (nothing)"]
    rows = [("variant", "process", "over python", "over import botocore")]
    for name, value in medians.items():
        rows.append(
            (
                name,
                micros(value),
                micros(value - base),
                micros(value - medians["import botocore"]),
            )
        )
    print(f"fresh interpreters, {args.rounds} interleaved rounds (median)\n")
    print(table(rows))
    extra = medians["import lightsail_stub"] - medians["import botocore.session, botocore.client"]
    print(
        f"\nimport lightsail_stub costs {micros(extra)} more than importing the botocore "
        "modules it builds on"
    )
    loaded = modules_after_import()
    unwanted = [m for m in loaded if m.split(".")[0] in MUST_NOT_IMPORT or m in MUST_NOT_IMPORT]
    print(f"modules it must not import, found loaded: {unwanted or 'none'}")
    if unwanted:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
