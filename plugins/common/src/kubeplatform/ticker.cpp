#include "tshost/kubeplatform/ticker.hpp"

namespace tshost::kubeplatform {

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> tick)
    : thread_([this, period, tick = std::move(tick)] {
          std::unique_lock lock(mutex_);
          while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
              lock.unlock();
              tick();
              lock.lock();
          }
      }) {}

Ticker::~Ticker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

}  // namespace tshost::kubeplatform
