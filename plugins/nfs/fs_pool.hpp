// A small pool of connections (libnfs contexts), one per concurrent caller:
// storage functions run concurrently (ABI rule) and a libnfs context is not
// thread-safe, so callers lease a context instead of queueing on one global lock.
// Contexts are created lazily, reused, and dropped when they fail.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "fs.hpp"

namespace nfsplugin {

class FsPool {
  public:
    using Factory = std::function<std::unique_ptr<Fs>()>;

    /// Exclusive use of one connection until destroyed; returned to the pool
    /// unless discard() was called.
    class Lease {
      public:
        Lease(FsPool& pool, std::unique_ptr<Fs> fs) : pool_(&pool), fs_(std::move(fs)) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Fs& fs() const noexcept { return *fs_; }
        /// The connection failed: close it, and every idle one (they most likely
        /// point at the same dead server session).
        void discard() noexcept;

      private:
        FsPool* pool_;
        std::unique_ptr<Fs> fs_;
    };

    FsPool(Factory factory, size_t max_connections);
    FsPool(const FsPool&) = delete;
    FsPool& operator=(const FsPool&) = delete;

    /// A connection: an idle one, a new one (connects; throws FsError), or the
    /// next one released when max_connections are in use.
    Lease acquire();

  private:
    void release(std::unique_ptr<Fs> fs, bool broken) noexcept;

    Factory factory_;
    size_t max_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Fs>> idle_;
    size_t open_ = 0;  // leased + idle + being connected
};

}  // namespace nfsplugin
