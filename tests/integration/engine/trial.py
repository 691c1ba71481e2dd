"""A test trial: reads its parameters the NNI way and reports metrics the NNI way
(stdout lines NNISDK_MEb'<record>'). Its behaviour comes from the command line,
and it records when it ran to $TRIAL_LOG so tests can check concurrency and that
no trial ran twice."""
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=2)
parser.add_argument("--sleep", type=float, default=0.05)
parser.add_argument("--fail-first-run", action="store_true")
parser.add_argument("--exit", type=int, default=0)
args = parser.parse_args()

sys_dir = os.environ["NNI_SYS_DIR"]
trial_id = os.environ["NNI_TRIAL_JOB_ID"]
with open(os.path.join(sys_dir, "parameter.cfg")) as f:
    packed = json.load(f)
params = packed["parameters"]


def log(event):
    with open(os.environ["TRIAL_LOG"], "a") as f:
        f.write("%s %s %.6f\n" % (event, trial_id, time.time()))


def report(kind, sequence, value):
    record = {"parameter_id": packed["parameter_id"], "trial_job_id": trial_id,
              "type": kind, "sequence": sequence, "value": json.dumps(value)}
    print("NNISDK_MEb'%s'" % json.dumps(record), flush=True)


log("start")
marker = os.path.join(os.environ["TRIAL_MARKERS"], trial_id)
if args.fail_first_run and not os.path.exists(marker):
    open(marker, "w").close()
    log("end")
    sys.exit(3)
x = float(params["x"])
for step in range(args.steps):
    time.sleep(args.sleep)
    report("PERIODICAL", step, {"default": x, "step": step})
time.sleep(args.sleep)
report("FINAL", 0, x)
log("end")
sys.exit(args.exit)
