#!/usr/bin/env python3
"""Regenerates plugins/common/crds/*.json from the official Kubeflow CRD YAML files.

The kubeflow-tf and kubeflow-pytorch plugins embed these and check every generated job against
them (validate_json accepts a whole CustomResourceDefinition). Descriptions are dropped: they are
not rules, and they are three quarters of the text.

Usage: scripts/crd_to_json.py DIR_WITH_kubeflow.org_*.yaml  (e.g. ../shared/reference/crds)
"""
import json
import os
import sys

import yaml  # python3-yaml


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    source = sys.argv[1]
    target = os.path.join(os.path.dirname(__file__), "..", "plugins", "common", "crds")
    for plural in ("tfjobs", "pytorchjobs"):
        with open(os.path.join(source, "kubeflow.org_%s.yaml" % plural)) as f:
            crd = strip(yaml.safe_load(f))
        with open(os.path.join(target, "kubeflow.org_%s.json" % plural), "w") as f:
            json.dump(crd, f, separators=(",", ":"), sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
