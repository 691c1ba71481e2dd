"""Test trial: prints (as one JSON line) which nni package it imported and
the environment the agent gave it."""

import json
import os

import nni

print(json.dumps({
    "nni_file": os.path.realpath(nni.__file__),
    "pythonpath": os.environ.get("PYTHONPATH"),
    "output_dir": os.environ.get("NNI_OUTPUT_DIR"),
    "has_token": "TSHOST_METRICS_TOKEN" in os.environ,
}))
