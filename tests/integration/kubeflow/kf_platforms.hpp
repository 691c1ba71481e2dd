// The two Kubeflow platforms as the integration tests drive them: the config section of each,
// the job's path on the API server, and its roles.
#pragma once

#include <ostream>
#include <string>

namespace kf_it {

struct Platform {
    const char* name;       // test parameter name
    const char* operator_;  // config `operator`
    const char* kind;       // TFJob | PyTorchJob
    const char* plural;     // tfjobs | pytorchjobs
    const char* primary;    // the replica whose metrics reach the tuner
    const char* roles[2];   // the config's roles, one replica each
};

inline const Platform kTf{"tf", "tf-operator", "TFJob", "tfjobs", "worker-0", {"ps", "worker"}};
inline const Platform kPyTorch{"pytorch",     "pytorch-operator", "PyTorchJob",
                               "pytorchjobs", "master-0",         {"master", "worker"}};

/// How gtest prints the parameter.
inline void PrintTo(const Platform& p, std::ostream* os) {
    *os << p.name;
}

/// NNI's Kubeflow job name.
inline std::string job_name(const std::string& exp, const std::string& trial) {
    return "nni-exp-" + exp + "-trial-" + trial;
}

inline std::string job_path(const Platform& p, const std::string& ns, const std::string& name) {
    return "/apis/kubeflow.org/v1/namespaces/" + ns + "/" + p.plural + "/" + name;
}

}  // namespace kf_it
