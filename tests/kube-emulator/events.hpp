// Records core/v1 Event objects about other objects, as kubelet and controllers do.
#pragma once

#include <string>

#include "common.hpp"

namespace kemu {

class Store;

class EventRecorder {
  public:
    explicit EventRecorder(Store& store) : store_(store) {}

    /// `type` is Normal or Warning; `component` is the reporting controller (kubelet, ...).
    void record(const json& involved, const std::string& type, const std::string& reason,
                const std::string& message, const std::string& component);

  private:
    Store& store_;
};

}  // namespace kemu
