#include "kube/rate_limiter.hpp"

#include <algorithm>

namespace tshost::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock clock)
    : qps_(qps),
      burst_(std::max(1, burst)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      tokens_(burst_),
      last_(clock_()) {}

std::chrono::nanoseconds TokenBucket::reserve() {
    if (qps_ <= 0) {
        return std::chrono::nanoseconds{0};
    }
    std::lock_guard lock(mutex_);
    auto now = clock_();
    if (now > last_) {
        std::chrono::duration<double> elapsed = now - last_;
        tokens_ = std::min(burst_, tokens_ + elapsed.count() * qps_);
        last_ = now;
    }
    tokens_ -= 1.0;
    if (tokens_ >= 0) {
        return std::chrono::nanoseconds{0};
    }
    std::chrono::duration<double> wait(-tokens_ / qps_);
    return std::chrono::ceil<std::chrono::nanoseconds>(wait);
}

}  // namespace tshost::kube
