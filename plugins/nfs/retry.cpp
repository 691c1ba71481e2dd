#include "retry.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include <tshost/plugin.hpp>

namespace nfsplugin {

void backoff(int attempt) {
    thread_local std::minstd_rand jitter{std::random_device{}()};
    const int exp = std::min(attempt - 1, 5);
    const int base_ms = std::min(100 << exp, 2000);
    std::uniform_int_distribution<int> spread(base_ms / 2, base_ms);
    // A pause before reconnecting to a server that is restarting: not used to
    // wait for any event this process could observe instead.
    std::this_thread::sleep_for(std::chrono::milliseconds(spread(jitter)));
}

void throw_cancelled(const FsError& last) {
    throw tshost::Error(TSH_ERR_CANCELLED, "the host is stopping; gave up retrying after: " +
                                               std::string(last.what()));
}

}  // namespace nfsplugin
