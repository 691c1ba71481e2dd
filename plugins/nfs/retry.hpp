// Transient failures (connection reset, server restarting, timeouts) are retried
// inside the plugin with bounded exponential backoff, each attempt on a fresh
// connection, before the host sees TSH_ERR_TRANSIENT.
#pragma once

#include <functional>
#include <utility>

#include "fs.hpp"
#include "fs_pool.hpp"

namespace nfsplugin {

struct RetryPolicy {
    int retries = 5;                 // attempts after the first
    std::function<bool()> stopping;  // the host is stopping: give up early
    std::function<void(const FsError&, int attempt)> on_retry;  // e.g. log a warning
};

/// Sleeps before attempt `attempt` (1, 2, ...): 100 ms doubling, capped at 2 s,
/// with jitter so that concurrent callers do not reconnect in lockstep.
void backoff(int attempt);

[[noreturn]] void throw_cancelled(const FsError& last);

/// Runs body(Fs&) on a leased connection. A transient FsError discards the
/// connection and retries; the last one propagates when the retries are spent.
/// Throws tshost::Error(TSH_ERR_CANCELLED) when the host is stopping.
template <class Body>
auto with_retry(FsPool& pool, const RetryPolicy& policy, Body&& body) {
    for (int attempt = 0;; ++attempt) {
        if (attempt > 0) {
            backoff(attempt);
        }
        try {
            FsPool::Lease lease = pool.acquire();
            try {
                return body(lease.fs());
            } catch (const FsError& e) {
                if (e.transient()) {
                    lease.discard();
                }
                throw;
            }
        } catch (const FsError& e) {
            if (!e.transient() || attempt >= policy.retries) {
                throw;
            }
            if (policy.stopping && policy.stopping()) {
                throw_cancelled(e);
            }
            if (policy.on_retry) {
                policy.on_retry(e, attempt + 1);
            }
        }
    }
}

}  // namespace nfsplugin
