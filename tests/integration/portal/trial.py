"""A portal test trial: reports one intermediate result at once, then (when $PORTAL_RELEASE
names a file) waits until that file exists, so tests can watch and act on running trials,
then reports its final result x."""
import json
import os
import time

sys_dir = os.environ["NNI_SYS_DIR"]
trial_id = os.environ["NNI_TRIAL_JOB_ID"]
with open(os.path.join(sys_dir, "parameter.cfg")) as f:
    packed = json.load(f)
x = float(packed["parameters"]["x"])


def report(kind, sequence, value):
    record = {"parameter_id": packed["parameter_id"], "trial_job_id": trial_id,
              "type": kind, "sequence": sequence, "value": json.dumps(value)}
    print("NNISDK_MEb'%s'" % json.dumps(record), flush=True)


report("PERIODICAL", 0, round(x / 2, 6))
release = os.environ.get("PORTAL_RELEASE")
if release:
    deadline = time.time() + 120
    while not os.path.exists(release) and time.time() < deadline:
        time.sleep(0.02)
report("FINAL", 0, round(x, 6))
