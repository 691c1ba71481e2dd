#include "fs_pool.hpp"

namespace nfsplugin {

FsPool::Lease::~Lease() {
    if (pool_ != nullptr && fs_) {
        pool_->release(std::move(fs_), false);
    }
}

void FsPool::Lease::discard() noexcept {
    if (pool_ != nullptr && fs_) {
        pool_->release(std::move(fs_), true);
    }
}

FsPool::FsPool(Factory factory, size_t max_connections)
    : factory_(std::move(factory)), max_(max_connections) {}

FsPool::Lease FsPool::acquire() {
    std::unique_lock lock(mutex_);
    // Leases are scoped to one storage call, so a slot frees up when that call ends.
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
        std::unique_ptr<Fs> fs = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(fs));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(*this, factory_());  // connecting can take a while: not under the lock
    } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

void FsPool::release(std::unique_ptr<Fs> fs, bool broken) noexcept {
    std::vector<std::unique_ptr<Fs>> closing;
    {
        std::lock_guard lock(mutex_);
        if (broken) {
            closing.swap(idle_);
            closing.push_back(std::move(fs));
            open_ -= closing.size();
        } else {
            idle_.push_back(std::move(fs));
        }
    }
    available_.notify_all();
    // closing's destructors disconnect outside the lock.
}

}  // namespace nfsplugin
