// The bench's own view of the cluster, for the job end -> tuner breakdown: a second client (not
// tshost's) that watches the experiment's pods and Frameworks and notes, per trial, when it
// first saw the pod finished (the kubelet's status write after the container exited) and the
// Framework Completed (the simulated operator's last step). Both are emulator-side times as
// seen over a watch, independent of tshost's own watch, tracker and engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tshost::kube {
class Client;
class Informer;
}  // namespace tshost::kube

struct TrialEndSeen {
    int64_t pod_finished_ms = 0;  // ms since the epoch; 0 = not seen
    int64_t job_completed_ms = 0;
};

class TrialEndWatch {
  public:
    TrialEndWatch(const std::string& kubeconfig, const std::string& namespace_name,
                  const std::string& label_selector);
    ~TrialEndWatch();
    TrialEndWatch(const TrialEndWatch&) = delete;
    TrialEndWatch& operator=(const TrialEndWatch&) = delete;

    /// By trial id.
    std::map<std::string, TrialEndSeen> seen() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, TrialEndSeen> seen_;
    std::unique_ptr<tshost::kube::Client> client_;
    std::unique_ptr<tshost::kube::Informer> pods_;
    std::unique_ptr<tshost::kube::Informer> jobs_;
};
