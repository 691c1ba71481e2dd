// The object store: one global resourceVersion counter, immutable object snapshots (shared with
// watch history and watchers without copying), an owner index for garbage collection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "api_error.hpp"
#include "common.hpp"
#include "resources.hpp"

namespace kemu {

using ObjPtr = std::shared_ptr<const json>;

struct Change {
    enum class Type { Added, Modified, Deleted };
    Type type;
    const ResourceType* rt;
    ObjPtr obj;
    ObjPtr old;  // previous state for Modified, else null
    std::uint64_t rv;
};

class WatchHub;

class Store {
  public:
    enum class Scope {
        Main,    // the resource endpoint: status is preserved where a status subresource exists
        Status,  // the /status subresource: only status changes
        All,     // internal writers (kubelet, operators) that own both
    };

    explicit Store(WatchHub& hub) : hub_(hub) {}

    std::uint64_t resource_version() const { return rv_; }

    /// Fills uid, creationTimestamp, resourceVersion, generation; 409 AlreadyExists on clashes.
    Result<ObjPtr> create(const ResourceType& rt, json obj);
    ObjPtr get(const ResourceType& rt, const std::string& ns, const std::string& name) const;
    /// Sorted by (namespace, name); `ns` empty lists every namespace.
    std::vector<ObjPtr> list(const ResourceType& rt, const std::string& ns) const;
    /// Replaces an object; 409 Conflict when metadata.resourceVersion is set and stale. A write
    /// that changes nothing returns the stored object without bumping the resourceVersion.
    Result<ObjPtr> update(const ResourceType& rt, json obj, Scope scope);
    /// Removes an object; the returned (and published) snapshot carries the deletion's RV.
    Result<ObjPtr> remove(const ResourceType& rt, const std::string& ns, const std::string& name);
    /// Objects whose ownerReferences name `owner_uid`.
    std::vector<std::pair<const ResourceType*, ObjPtr>> dependents(
        const std::string& owner_uid) const;
    std::size_t count(const ResourceType& rt) const;

    /// Listeners run synchronously after every committed change; they must only queue work
    /// (never write to the store from inside the callback).
    void subscribe(std::function<void(const Change&)> listener) {
        listeners_.push_back(std::move(listener));
    }

  private:
    using Key = std::pair<std::string, std::string>;  // namespace, name
    using OwnerEntry = std::tuple<const ResourceType*, std::string, std::string>;

    void commit(const Change& change);
    void index_owners(const ResourceType& rt, const json& obj, bool add);

    WatchHub& hub_;
    std::uint64_t rv_ = 1;
    std::unordered_map<std::string, std::map<Key, ObjPtr>> objects_;
    std::unordered_map<std::string, std::set<OwnerEntry>> owners_;
    std::vector<std::function<void(const Change&)>> listeners_;
};

}  // namespace kemu
