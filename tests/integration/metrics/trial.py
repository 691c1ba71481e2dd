"""A trial for the metrics end-to-end tests; it imports `nni` as NNI trials do
(here the agent's minimal module: the image has no NNI).

Modes (argv[1]):
  wait     report an intermediate result with a quote and accents in it, wait until
           the host's database holds it, then report final 1.0 (0.0 if it never
           arrived): proves metrics reach the host while the trial runs.
  plain    report three intermediates and a final.
  gated    report intermediate 0, wait for <E2E_MARKERS>/<trial>.go, then report
           intermediate 1 and the final (the host is killed in between).
"""
import os
import sqlite3
import sys
import time

import nni

DEADLINE_S = 30


def stored(trial_id, seq):
    db = os.environ["E2E_DB"]
    if not os.path.exists(db):
        return False
    try:
        conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        try:
            row = conn.execute(
                "SELECT COUNT(*) FROM metrics WHERE trial_id = ? AND seq = ?",
                (trial_id, seq)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return row[0] > 0


def wait_for(condition):
    end = time.time() + DEADLINE_S
    while time.time() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def main():
    mode = sys.argv[1]
    params = nni.get_next_parameter()
    trial = nni.get_trial_id()
    if mode == "wait":
        nni.report_intermediate_result(
            {"default": params["x"], "note": "it's \u00e9t\u00e9 \u2014 'quoted'"})
        seen = wait_for(lambda: stored(trial, 0))
        nni.report_final_result(1.0 if seen else 0.0)
    elif mode == "plain":
        for step in range(3):
            nni.report_intermediate_result(params["x"] * step)
        nni.report_final_result(params["x"])
    elif mode == "gated":
        nni.report_intermediate_result(0.5)
        marker = os.path.join(os.environ["E2E_MARKERS"], trial + ".go")
        wait_for(lambda: os.path.exists(marker))
        nni.report_intermediate_result(0.7)
        nni.report_final_result(params["x"])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
