#include "tshost/kube/informer.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "kube/retry.hpp"

namespace tshost::kube {
namespace {

using json = nlohmann::json;

std::string nameOf(const json& object) {
    auto meta = object.find("metadata");
    return meta != object.end() && meta->is_object() ? meta->value("name", "") : std::string();
}

std::string versionOf(const json& object) {
    auto meta = object.find("metadata");
    return meta != object.end() && meta->is_object() ? meta->value("resourceVersion", "")
                                                     : std::string();
}

// After an informer error, wait this long (growing) before listing again.
constexpr std::chrono::milliseconds kErrorBackoffBase{500};
constexpr std::chrono::milliseconds kErrorBackoffMax{30'000};

}  // namespace

struct Informer::State {
    Client& client;
    ResourceRef ref;
    std::string selector;
    Handlers handlers;
    Cancellation cancel;
    std::thread thread;
    mutable std::mutex mutex;
    mutable std::condition_variable synced_cv;
    std::map<std::string, json> objects;
    bool synced = false;

    State(Client& c, ResourceRef r, std::string s, Handlers h)
        : client(c), ref(std::move(r)), selector(std::move(s)), handlers(std::move(h)) {}

    // The cache is updated first, then handlers run without the lock (they may call get()).
    void replace(const ListResult& full) {
        std::map<std::string, json> fresh;
        for (const auto& item : full.items) {
            fresh.emplace(nameOf(item), item);
        }
        std::map<std::string, json> old;
        {
            std::lock_guard lock(mutex);
            old.swap(objects);
            objects = fresh;
            synced = true;
        }
        synced_cv.notify_all();
        for (const auto& [name, obj] : fresh) {
            auto it = old.find(name);
            if (it == old.end()) {
                if (handlers.on_add) {
                    handlers.on_add(obj);
                }
            } else if (versionOf(it->second) != versionOf(obj) && handlers.on_update) {
                handlers.on_update(it->second, obj);
            }
        }
        // Deleted while we were not watching: no event will ever say so.
        for (const auto& [name, obj] : old) {
            if (!fresh.contains(name) && handlers.on_delete) {
                handlers.on_delete(obj);
            }
        }
    }

    void apply(const WatchEvent& ev) {
        std::string name = nameOf(ev.object);
        std::optional<json> previous;
        {
            std::lock_guard lock(mutex);
            auto it = objects.find(name);
            if (it != objects.end()) {
                previous = std::move(it->second);
                objects.erase(it);
            }
            if (ev.type != WatchEvent::Type::kDeleted) {
                objects.emplace(name, ev.object);
            }
        }
        if (ev.type == WatchEvent::Type::kDeleted) {
            if (handlers.on_delete) {
                handlers.on_delete(ev.object);
            }
        } else if (previous) {
            if (handlers.on_update) {
                handlers.on_update(*previous, ev.object);
            }
        } else if (handlers.on_add) {
            handlers.on_add(ev.object);
        }
    }

    void run() {
        Backoff backoff(kErrorBackoffBase, kErrorBackoffMax, std::random_device{}());
        WatchHandlers wh{[this](const WatchEvent& ev) { apply(ev); },
                         [this](const ListResult& full) { replace(full); }};
        // Bounded by stop(): every blocking step below is interrupted by `cancel`.
        while (!cancel.cancelled()) {
            try {
                client.watch(ref, WatchOptions{selector, "", ""}, wh, cancel);
            } catch (const KubeError& e) {
                if (cancel.cancelled()) {
                    break;
                }
                if (handlers.on_error) {
                    handlers.on_error(e);
                }
            } catch (const std::exception& e) {
                if (handlers.on_error) {
                    handlers.on_error(KubeError(
                        0, "HandlerError",
                        "informer " + ref.displayName() + ": a handler threw: " + e.what()));
                }
            }
            cancel.sleepFor(backoff.next());
        }
    }
};

Informer::Informer(Client& client, ResourceRef ref, std::string label_selector, Handlers handlers)
    : state_(std::make_unique<State>(client, std::move(ref), std::move(label_selector),
                                     std::move(handlers))) {}

Informer::~Informer() {
    stop();
}

void Informer::start() {
    if (!state_->thread.joinable() && !state_->cancel.cancelled()) {
        state_->thread = std::thread([s = state_.get()] { s->run(); });
    }
}

void Informer::stop() {
    state_->cancel.cancel();
    if (state_->thread.joinable()) {
        state_->thread.join();
    }
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->synced_cv.wait_for(lock, timeout, [this] { return state_->synced; });
}

std::optional<json> Informer::get(const std::string& name) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->objects.find(name);
    return it != state_->objects.end() ? std::optional<json>(it->second) : std::nullopt;
}

std::vector<json> Informer::objects() const {
    std::lock_guard lock(state_->mutex);
    std::vector<json> out;
    for (const auto& [name, obj] : state_->objects) {
        out.push_back(obj);
    }
    return out;
}

}  // namespace tshost::kube
