"""Quickstart trial: a noisy toy "accuracy" of lr, momentum and batch size.

It gets its parameters and reports results the NNI way: with NNI installed,
through `import nni`; without it (Python 3 standard library only), by speaking
the same protocol NNI's SDK uses when NNI_PLATFORM=local and no command-channel
URL is set (the legacy file channel):
  - parameters: $NNI_SYS_DIR/parameter.cfg holds the packed parameter
    {"parameter_id": ..., "parameters": {...}, ...};
  - metrics: records appended to $NNI_SYS_DIR/.nni/metrics as b"ME" + the
    payload's byte length in 6 digits + payload, where payload is the metric
    record JSON plus "\n" and the record's "value" is itself JSON text.
Run by hand (no NNI_SYS_DIR) it uses default parameters and prints the records.
"""

import json
import math
import os
import random
import time

try:
    import nni
except ImportError:
    nni = None

EPOCHS = 5
DEFAULTS = {"lr": 0.01, "momentum": 0.9, "batch_size": 32}


class FileChannel:
    """The subset of nni's trial API this trial uses, over NNI's file channel."""

    def __init__(self):
        self.sys_dir = os.environ.get("NNI_SYS_DIR")
        self.trial_id = os.environ.get("NNI_TRIAL_JOB_ID", "STANDALONE")
        self.parameter_id = None
        self.sequence = 0

    def get_next_parameter(self):
        if not self.sys_dir:
            return None
        with open(os.path.join(self.sys_dir, "parameter.cfg"), encoding="utf-8") as f:
            packed = json.load(f)
        self.parameter_id = packed.get("parameter_id")
        return packed.get("parameters")

    def report_intermediate_result(self, metric):
        self._send("PERIODICAL", self.sequence, metric)
        self.sequence += 1

    def report_final_result(self, metric):
        self._send("FINAL", 0, metric)

    def _send(self, kind, sequence, metric):
        record = json.dumps({"parameter_id": self.parameter_id, "trial_job_id": self.trial_id,
                             "type": kind, "sequence": sequence, "value": json.dumps(metric)})
        if not self.sys_dir:
            print(record)
            return
        data = (record + "\n").encode("utf-8")
        assert len(data) < 1_000_000, "metric too long"
        with open(os.path.join(self.sys_dir, ".nni", "metrics"), "ab") as f:
            f.write(b"ME%06d" % len(data) + data)


def accuracy(lr, momentum, batch_size, epoch, rng):
    """Best near lr=0.01, momentum=0.9, batch 32; rises over the epochs; a little noise."""
    distance = (math.log10(lr) + 2) ** 2 + 4 * (momentum - 0.9) ** 2 \
        + 0.1 * math.log2(batch_size / 32) ** 2
    ceiling = 1 / (1 + distance)
    return ceiling * (1 - math.exp(-(epoch + 1) / 2)) + rng.gauss(0, 0.005)


def main():
    api = nni if nni is not None else FileChannel()
    params = dict(DEFAULTS)
    params.update(api.get_next_parameter() or {})
    rng = random.Random(os.environ.get("NNI_TRIAL_JOB_ID", "standalone"))
    score = 0.0
    for epoch in range(EPOCHS):
        time.sleep(0.05)  # "training"
        score = accuracy(params["lr"], params["momentum"], params["batch_size"], epoch, rng)
        api.report_intermediate_result(score)
    api.report_final_result(score)


if __name__ == "__main__":
    main()
