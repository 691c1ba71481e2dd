#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace tshost::kube {

// Exponential backoff with "equal jitter": attempt n waits between d/2 and d where
// d = min(max, base * 2^n), so retries spread out but never collapse to ~0. A server-sent
// Retry-After is a floor (the server knows best), still capped by `max`.
class Backoff {
  public:
    Backoff(std::chrono::nanoseconds base, std::chrono::nanoseconds max, std::uint64_t seed);
    std::chrono::nanoseconds next(std::optional<std::chrono::nanoseconds> retry_after = {});
    void reset() { attempt_ = 0; }

  private:
    std::chrono::nanoseconds base_;
    std::chrono::nanoseconds max_;
    int attempt_ = 0;
    std::mt19937_64 rng_;
};

// Retry-After: delta-seconds or an HTTP-date (RFC 9110). nullopt when absent or unparsable.
std::optional<std::chrono::nanoseconds> parseRetryAfter(std::string_view value,
                                                        std::chrono::system_clock::time_point now);

}  // namespace tshost::kube
