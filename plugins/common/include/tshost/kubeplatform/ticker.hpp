// Calls a function every `period` on its own thread until destroyed; the destructor returns
// promptly (it wakes the thread rather than waiting out the period).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tshost::kubeplatform {

class Ticker {
  public:
    Ticker(std::chrono::milliseconds period, std::function<void()> tick);
    ~Ticker();
    Ticker(const Ticker&) = delete;
    Ticker& operator=(const Ticker&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once the rest exists
};

}  // namespace tshost::kubeplatform
