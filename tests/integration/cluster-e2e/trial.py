"""A small dependency-free trial for the Kubernetes platforms' end-to-end tests: it imports
`nni` as NNI trials do (the trial agent's minimal module) and reports two intermediate results
and a final one. Every replica reports; only the primary's reach the tuner.

Options:
  --wait-for FILE       after the first intermediate result, wait until FILE exists
  --gate                after the first intermediate result, wait until `go` appears in the
                        trial's own directory ($NNI_SYS_DIR), so a test can let trials go one by one
  --fail-first-attempt REPLICA
                        in replica REPLICA (e.g. worker-0), the first attempt (trial directory
                        without ".attempt-") reports 1000 + its results, the final one
                        included, then exits 3; the other replicas run as usual (one replica
                        failing fails the job, so only one fails: the others could be stopped
                        before they report)
  --worse-after-first   every trial but the first (NNI_TRIAL_SEQ_ID > 0) reports -1 - x, worse
                        than any result of the first, as its first intermediate result, then
                        waits until it is stopped
  --by-replica          non-primary FrameworkController replicas add 100 x (their position + 1)
                        to what they report, so a test can tell whose results reached the tuner
  --private-tmp N       fail unless this pod's /tmp is its own, not shared with the
                        trial's other replicas (N in all)
"""
import os
import sys
import time

import nni


def replica_name():
    """The agent gives every replica its own output directory, named after the replica."""
    return os.path.basename(os.path.normpath(os.environ.get("NNI_OUTPUT_DIR", "")))


def replica_offset():
    role = os.environ.get("FC_TASKROLE_NAME", "")
    index = int(os.environ.get("FC_TASK_INDEX", "0"))
    if role == "worker" and index == 0:
        return 0
    return 100 * (1 + index + (10 if role != "worker" else 0))


def check_private_tmp(replicas):
    """Every replica writes its name to /tmp/whoami, meets the others on the share
    (all have written before any reads), then reads it back: with one /tmp shared by
    the pods, all but the last writer read another replica's name."""
    me = "%s-%s" % (os.environ.get("FC_TASKROLE_NAME"), os.environ.get("FC_TASK_INDEX"))
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "whoami")
    with open(path, "w") as f:
        f.write(me)
    meeting = os.path.join(os.environ["NNI_SYS_DIR"], "tmp-check")
    os.makedirs(meeting, exist_ok=True)
    open(os.path.join(meeting, me), "w").close()
    deadline = time.monotonic() + 60
    while len(os.listdir(meeting)) < replicas:
        if time.monotonic() > deadline:
            sys.exit("%s: the other replicas never arrived: %s" % (me, os.listdir(meeting)))
        time.sleep(0.02)
    with open(path) as f:
        seen = f.read()
    if seen != me:
        sys.exit("%s: /tmp is shared: /tmp/whoami says %s" % (me, seen))


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.05)


def main():
    args = sys.argv[1:]
    params = nni.get_next_parameter()
    x = params["x"]
    if "--private-tmp" in args:
        check_private_tmp(int(args[args.index("--private-tmp") + 1]))
    if ("--fail-first-attempt" in args and ".attempt-" not in os.environ["NNI_SYS_DIR"]
            and replica_name() == args[args.index("--fail-first-attempt") + 1]):
        nni.report_intermediate_result(1000 + x / 2)
        nni.report_intermediate_result(1000 + x)
        nni.report_final_result(1000 + x)
        sys.exit(3)
    if "--worse-after-first" in args and os.environ.get("NNI_TRIAL_SEQ_ID", "0") != "0":
        nni.report_intermediate_result(-1 - x)
        while True:
            time.sleep(1)
    offset = replica_offset() if "--by-replica" in args else 0
    nni.report_intermediate_result(offset + x / 2)
    if "--wait-for" in args:
        wait_for(args[args.index("--wait-for") + 1])
    if "--gate" in args:
        wait_for(os.path.join(os.environ["NNI_SYS_DIR"], "go"))
    nni.report_intermediate_result(offset + x)
    nni.report_final_result(offset + x)


if __name__ == "__main__":
    main()
