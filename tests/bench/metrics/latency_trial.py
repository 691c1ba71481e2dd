"""The trial of metrics_latency_bench: reports N intermediate results ~GAP seconds
apart, each stamped with the wall clock at the moment it is printed, then a final
result (also stamped). Uses `nni` as NNI trials do (here the agent's minimal module).

usage: python3 latency_trial.py N GAP
"""
import sys
import time

import nni


def main():
    count = int(sys.argv[1])
    gap = float(sys.argv[2])
    nni.get_next_parameter()
    for step in range(count):
        nni.report_intermediate_result({"default": float(step), "t": time.time()})
        time.sleep(gap)  # the trial's own pacing, not synchronisation
    nni.report_final_result({"default": 1.0, "t": time.time()})


if __name__ == "__main__":
    main()
