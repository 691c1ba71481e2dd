"""A small dependency-free trial for the Kubeflow end-to-end tests: it imports `nni` as NNI
trials do (the trial agent's minimal module) and reports two intermediate results and a final
one. With a file named `gate` in the code directory it waits, after its first result, until
`go` appears in its trial directory ($NNI_SYS_DIR): the kill -9 test stops the host there."""
import os
import time

import nni


def main():
    params = nni.get_next_parameter()
    x = params["x"]
    nni.report_intermediate_result(x / 2)
    if os.path.exists("gate"):
        go = os.path.join(os.environ["NNI_SYS_DIR"], "go")
        while not os.path.exists(go):
            time.sleep(0.05)
    nni.report_intermediate_result(x)
    nni.report_final_result(x)


if __name__ == "__main__":
    main()
