#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tshost/kube/client.hpp"

namespace tshost::kube {

// List+watch cache of one resource type + label selector, keyed by object name, on its own thread.
// Handlers run on that thread, one at a time, after the cache reflects the change.
class Informer {
  public:
    struct Handlers {
        std::function<void(const nlohmann::json&)> on_add;
        std::function<void(const nlohmann::json& old_obj, const nlohmann::json& new_obj)> on_update;
        // Also synthesised for objects that vanished while the watch was broken (seen on re-list).
        std::function<void(const nlohmann::json&)> on_delete;
        // The watch gave up (e.g. 403); the informer re-lists after a backoff until stopped.
        std::function<void(const KubeError&)> on_error;
    };

    Informer(Client& client, ResourceRef ref, std::string label_selector, Handlers handlers);
    ~Informer();  // stops
    Informer(const Informer&) = delete;
    Informer& operator=(const Informer&) = delete;

    // Starts the thread once; an informer is not restartable after stop().
    void start();
    // Returns promptly (well under 100 ms) even while the thread is blocked in a watch.
    void stop();
    // True once the first list has been applied.
    bool waitForSync(std::chrono::milliseconds timeout) const;
    std::optional<nlohmann::json> get(const std::string& name) const;
    std::vector<nlohmann::json> objects() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace tshost::kube
