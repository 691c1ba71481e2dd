"""A small dependency-free trial for the FrameworkController end-to-end tests: it
imports `nni` as NNI trials do (the trial agent's minimal module) and reports two
intermediate results and a final one. Every replica reports; only the primary's
reach the tuner."""
import nni


def main():
    params = nni.get_next_parameter()
    x = params["x"]
    for step in range(2):
        nni.report_intermediate_result(x * (step + 1) / 2)
    nni.report_final_result(x)


if __name__ == "__main__":
    main()
