#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace tshost::kube {

// Token bucket (client-go's flowcontrol semantics): `burst` requests at once, then `qps` per
// second. reserve() takes a token now or in the future and says how long the caller must wait,
// so waiting happens outside the lock and can be cancelled; the clock is injectable for tests.
class TokenBucket {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    TokenBucket(double qps, int burst, Clock clock = {});
    // qps <= 0 disables limiting (reserve() always returns 0).
    std::chrono::nanoseconds reserve();

  private:
    double qps_;
    double burst_;
    Clock clock_;
    std::mutex mutex_;
    double tokens_;  // may go negative: tokens promised to waiting callers
    std::chrono::steady_clock::time_point last_;
};

}  // namespace tshost::kube
