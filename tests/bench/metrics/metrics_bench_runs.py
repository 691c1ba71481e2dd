#!/usr/bin/env python3
"""Runs metrics_bench several times and prints min / median / max of each figure.

Usage: metrics_bench_runs.py BENCH_BINARY [RUNS [SCALE]]

Wall-clock figures on a shared 2-core machine vary a lot from run to run; the ratios are
measured within one run (bare and stored back to back), so their spread is what to read.
"""
import re
import statistics
import subprocess
import sys

FIGURES = {
    "bare": r"bare Beast \(baseline\)\s+(\d+)",
    "server": r"queue not drained\s+(\d+)",
    "stored": r"ExperimentDb\s+(\d+) metrics/s persisted",
}


def scenarios(output):
    """{scenario name: {figure: value}} from one run's output."""
    result = {}
    for block in re.split(r"\n(?=\S[^\n]*: \d+ metrics\n)", output):
        head = re.match(r"(\S[^\n]*): \d+ metrics\n", block)
        if not head:
            continue
        figures = {}
        for name, pattern in FIGURES.items():
            found = re.search(pattern, block)
            if found:
                figures[name] = float(found.group(1))
        if "bare" in figures:
            for name in ("server", "stored"):
                if name in figures:
                    figures[name + "/bare %"] = 100.0 * figures[name] / figures["bare"]
        result[head.group(1)] = figures
    return result


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    scale = sys.argv[3] if len(sys.argv) > 3 else "1"
    collected = {}
    for _ in range(runs):
        output = subprocess.run([binary, scale], check=True, capture_output=True,
                                text=True).stdout
        print(output, end="", flush=True)
        for scenario, figures in scenarios(output).items():
            for name, value in figures.items():
                collected.setdefault(scenario, {}).setdefault(name, []).append(value)
    print(f"\nover {runs} runs: min / median / max")
    for scenario, figures in collected.items():
        print(scenario)
        for name, values in figures.items():
            print(f"  {name:14} {min(values):10.1f} {statistics.median(values):10.1f}"
                  f" {max(values):10.1f}")


if __name__ == "__main__":
    main()
