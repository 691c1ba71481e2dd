"""Test trial: NNI's quick-start pattern, one final result (argv[1], JSON)."""

import json
import sys

import nni

nni.get_next_parameter()
nni.report_final_result(json.loads(sys.argv[1]))
