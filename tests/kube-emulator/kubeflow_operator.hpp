// Simulated Kubeflow training-operator (v1.9) for TFJob and PyTorchJob: one pod per replica,
// job conditions (Created, Running, Restarting, Succeeded, Failed), replicaStatuses,
// startTime/completionTime, restartPolicy ExitCode and runPolicy.cleanPodPolicy.
#pragma once

#include <memory>

#include "loop.hpp"

namespace kemu {

class Store;
class EventRecorder;

class KubeflowOperator {
  public:
    enum class Flavor { TensorFlow, PyTorch };
    KubeflowOperator(Loop& loop, Store& store, EventRecorder& events, Flavor flavor);
    ~KubeflowOperator();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
