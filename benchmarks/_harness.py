"""Interleaved, same-process timing: every figure is a ratio against a baseline measured in
the same rounds, because the machines this runs on are shared and noisy."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping

#: A contender runs ``n`` operations and returns nothing; it is timed as a whole.
Contender = Callable[[int], None]


def interleaved(
    contenders: Mapping[str, Contender], *, rounds: int, per_round: int, warmup: int = 1
) -> dict[str, float]:
    """Median seconds per operation of each contender, measured in ``rounds`` rounds that
    each run every contender once (in a rotating order), after ``warmup`` untimed rounds."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(warmup + rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:  # no contender always goes first
            gc.collect()
            start = time.perf_counter()
            contenders[name](per_round)
            elapsed = time.perf_counter() - start
            if round_number >= warmup:
                samples[name].append(elapsed / per_round)
    return {name: statistics.median(values) for name, values in samples.items()}


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def ratio_table(medians: Mapping[str, float], baseline: str, unit: str = "per call") -> str:
    base = medians[baseline]
    rows = [("contender", unit, f"ratio to {baseline}")]
    for name, value in medians.items():
        rows.append((name, micros(value), f"{value / base:.2f}x"))
    return table(rows)


def micros(seconds: float) -> str:
    value = seconds * 1e6
    return f"{value:,.1f} µs" if value < 100 else f"{value:,.0f} µs"
