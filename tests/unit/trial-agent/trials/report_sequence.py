"""Test trial: intermediate results (a float, NaN, a dict with ' and a
non-ASCII character), then a final one; checks the rest of the trial API on
the way and exits non-zero if any answer differs from NNI's."""

import os

import nni

params = nni.get_next_parameter()
assert params == {"lr": 0.0942}, params
# MULTI_PHASE=false: a second call returns None (nni-kubernetes.md §6.4).
assert nni.get_next_parameter() is None
assert nni.get_current_parameter() == {"lr": 0.0942}
assert nni.get_current_parameter("lr") == 0.0942
assert nni.get_trial_id() == os.environ["NNI_TRIAL_JOB_ID"]
assert nni.get_experiment_id() == os.environ["NNI_EXP_ID"]
assert nni.get_sequence_id() == int(os.environ["NNI_TRIAL_SEQ_ID"])

nni.report_intermediate_result(0.25)
nni.report_intermediate_result(float("nan"))
nni.report_intermediate_result({"default": 1, "note": "it's 10\u00b0C"})
nni.report_final_result(0.75)
