#include "kube/retry.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace tshost::kube {

Backoff::Backoff(std::chrono::nanoseconds base, std::chrono::nanoseconds max, std::uint64_t seed)
    : base_(base), max_(std::max(base, max)), rng_(seed) {}

std::chrono::nanoseconds Backoff::next(std::optional<std::chrono::nanoseconds> retry_after) {
    auto d = base_;
    // Bounded doubling: stops as soon as the cap is reached, so no overflow.
    for (int i = 0; i < attempt_ && d < max_; ++i) {
        d *= 2;
    }
    d = std::min(d, max_);
    ++attempt_;
    std::uniform_int_distribution<std::int64_t> jitter(d.count() / 2, d.count());
    std::chrono::nanoseconds wait{jitter(rng_)};
    if (retry_after) {
        wait = std::max(wait, std::min(*retry_after, max_));
    }
    return wait;
}

std::optional<std::chrono::nanoseconds> parseRetryAfter(std::string_view value,
                                                        std::chrono::system_clock::time_point now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                              value.back() == '\n')) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::nullopt;
    }
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size()) {
        if (seconds < 0) {
            return std::nullopt;
        }
        return std::chrono::seconds(std::min<std::int64_t>(seconds, 24 * 3600));
    }
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    std::tm tm{};
    std::string text(value);
    const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (rest == nullptr || *rest != '\0') {
        return std::nullopt;
    }
    auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
    return at > now ? std::chrono::duration_cast<std::chrono::nanoseconds>(at - now)
                    : std::chrono::nanoseconds{0};
}

}  // namespace tshost::kube
