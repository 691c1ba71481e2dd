#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

namespace tshost::kube {

// A one-shot stop signal shared between a caller and a blocked operation. Blocking code either
// sleeps on it (sleepFor) or registers a wakeup hook for the duration of a blocking call; the
// HTTP transport registers curl_multi_wakeup so cancel() interrupts a watch within milliseconds.
class Cancellation {
  public:
    void cancel();
    bool cancelled() const;
    // Sleeps for `d` unless cancelled first; returns false when cancelled.
    bool sleepFor(std::chrono::nanoseconds d) const;

    // The hook runs (on the cancelling thread) if cancel() is called while it is registered.
    // Const: registering interest does not change the signal, and blocked operations only get a
    // const view of it.
    int addWakeup(std::function<void()> hook) const;
    void removeWakeup(int id) const;

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    // Held while hooks run, so removeWakeup() cannot return while its hook is still running
    // (the hook may reference a curl handle that is freed right after).
    mutable std::mutex hooks_mutex_;
    bool cancelled_ = false;
    mutable int next_id_ = 0;
    mutable std::map<int, std::function<void()>> hooks_;
};

}  // namespace tshost::kube
