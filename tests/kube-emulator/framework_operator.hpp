// Simulated FrameworkController: the Framework attempt state machine (AttemptCreationPending →
// ... → Completed), one pod per task, task role statuses, completion policy, retry policy,
// executionType Create/Start/Stop.
#pragma once

#include <memory>

#include "loop.hpp"

namespace kemu {

class Store;
class EventRecorder;

class FrameworkOperator {
  public:
    FrameworkOperator(Loop& loop, Store& store, EventRecorder& events);
    ~FrameworkOperator();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
