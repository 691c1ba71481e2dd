#include "store.hpp"

#include "watch_hub.hpp"

namespace kemu {
namespace {

/// Everything but metadata and status: a change here bumps metadata.generation.
json spec_part(const json& obj) {
    json copy = obj;
    copy.erase("metadata");
    copy.erase("status");
    return copy;
}

}  // namespace

Result<ObjPtr> Store::create(const ResourceType& rt, json obj) {
    json& meta = obj["metadata"];
    const std::string ns = rt.namespaced ? meta.value("namespace", "") : "";
    const std::string name = meta.value("name", "");
    auto& bucket = objects_[rt.plural];
    if (bucket.count({ns, name}) != 0) {
        return already_exists(rt, name);
    }
    meta["uid"] = new_uid();
    meta["creationTimestamp"] = now_rfc3339();
    meta["resourceVersion"] = std::to_string(++rv_);
    if (obj.contains("spec")) {
        meta["generation"] = 1;
    }
    meta.erase("deletionTimestamp");
    obj["kind"] = rt.kind;
    obj["apiVersion"] = rt.api_version();
    auto stored = std::make_shared<const json>(std::move(obj));
    bucket[{ns, name}] = stored;
    index_owners(rt, *stored, true);
    commit(Change{Change::Type::Added, &rt, stored, nullptr, rv_});
    return ObjPtr(stored);
}

ObjPtr Store::get(const ResourceType& rt, const std::string& ns, const std::string& name) const {
    const auto bucket = objects_.find(rt.plural);
    if (bucket == objects_.end()) {
        return nullptr;
    }
    const auto it = bucket->second.find({rt.namespaced ? ns : "", name});
    return it == bucket->second.end() ? nullptr : it->second;
}

std::vector<ObjPtr> Store::list(const ResourceType& rt, const std::string& ns) const {
    std::vector<ObjPtr> out;
    const auto bucket = objects_.find(rt.plural);
    if (bucket == objects_.end()) {
        return out;
    }
    if (ns.empty() || !rt.namespaced) {
        for (const auto& [key, obj] : bucket->second) {
            out.push_back(obj);
        }
        return out;
    }
    // Keys sort by namespace first, so one namespace is one contiguous range.
    for (auto it = bucket->second.lower_bound({ns, ""});
         it != bucket->second.end() && it->first.first == ns; ++it) {
        out.push_back(it->second);
    }
    return out;
}

std::size_t Store::count(const ResourceType& rt) const {
    const auto bucket = objects_.find(rt.plural);
    return bucket == objects_.end() ? 0 : bucket->second.size();
}

Result<ObjPtr> Store::update(const ResourceType& rt, json obj, Scope scope) {
    if (!obj.is_object() || !obj["metadata"].is_object()) {
        return bad_request("object has no metadata");
    }
    const std::string ns = rt.namespaced ? obj["metadata"].value("namespace", "") : "";
    const std::string name = obj["metadata"].value("name", "");
    auto& bucket = objects_[rt.plural];
    const auto it = bucket.find({ns, name});
    if (it == bucket.end()) {
        return not_found(rt, name);
    }
    const ObjPtr old = it->second;
    const std::string requested_rv = obj["metadata"].value("resourceVersion", "");
    if (!requested_rv.empty() && requested_rv != (*old)["metadata"].value("resourceVersion", "")) {
        return conflict(rt, name,
                        "the object has been modified; please apply your changes to the latest "
                        "version and try again");
    }
    json next;
    if (scope == Scope::Status) {
        next = *old;
        if (obj.contains("status")) {
            next["status"] = obj["status"];
        } else {
            next.erase("status");
        }
    } else {
        next = std::move(obj);
        if (scope == Scope::Main && rt.status_subresource) {
            if (old->contains("status")) {
                next["status"] = (*old)["status"];
            } else {
                next.erase("status");
            }
        }
        // Identity and server-owned fields never change through an update.
        json& meta = next["metadata"];
        for (const char* key : {"uid", "creationTimestamp", "namespace", "name", "generation"}) {
            if ((*old)["metadata"].contains(key)) {
                meta[key] = (*old)["metadata"][key];
            } else {
                meta.erase(key);
            }
        }
        next["kind"] = rt.kind;
        next["apiVersion"] = rt.api_version();
    }
    next["metadata"]["resourceVersion"] = (*old)["metadata"]["resourceVersion"];
    if (next == *old) {
        return old;
    }
    if (old->contains("metadata") && (*old)["metadata"].contains("generation") &&
        spec_part(next) != spec_part(*old)) {
        next["metadata"]["generation"] = (*old)["metadata"]["generation"].get<std::int64_t>() + 1;
    }
    next["metadata"]["resourceVersion"] = std::to_string(++rv_);
    auto stored = std::make_shared<const json>(std::move(next));
    index_owners(rt, *old, false);
    index_owners(rt, *stored, true);
    it->second = stored;
    commit(Change{Change::Type::Modified, &rt, stored, old, rv_});
    return ObjPtr(stored);
}

Result<ObjPtr> Store::remove(const ResourceType& rt, const std::string& ns,
                             const std::string& name) {
    auto& bucket = objects_[rt.plural];
    const auto it = bucket.find({rt.namespaced ? ns : "", name});
    if (it == bucket.end()) {
        return not_found(rt, name);
    }
    json last = *it->second;
    index_owners(rt, last, false);
    bucket.erase(it);
    last["metadata"]["resourceVersion"] = std::to_string(++rv_);
    auto stored = std::make_shared<const json>(std::move(last));
    commit(Change{Change::Type::Deleted, &rt, stored, nullptr, rv_});
    return ObjPtr(stored);
}

std::vector<std::pair<const ResourceType*, ObjPtr>> Store::dependents(
    const std::string& owner_uid) const {
    std::vector<std::pair<const ResourceType*, ObjPtr>> out;
    const auto it = owners_.find(owner_uid);
    if (it == owners_.end()) {
        return out;
    }
    for (const auto& [rt, ns, name] : it->second) {
        if (auto obj = get(*rt, ns, name)) {
            out.emplace_back(rt, std::move(obj));
        }
    }
    return out;
}

void Store::index_owners(const ResourceType& rt, const json& obj, bool add) {
    const auto meta = obj.find("metadata");
    if (meta == obj.end() || !meta->contains("ownerReferences") ||
        !(*meta)["ownerReferences"].is_array()) {
        return;
    }
    const OwnerEntry entry{&rt, meta->value("namespace", ""), meta->value("name", "")};
    for (const auto& ref : (*meta)["ownerReferences"]) {
        const std::string uid = ref.is_object() ? ref.value("uid", "") : "";
        if (uid.empty()) {
            continue;
        }
        if (add) {
            owners_[uid].insert(entry);
        } else if (auto found = owners_.find(uid); found != owners_.end()) {
            found->second.erase(entry);
            if (found->second.empty()) {
                owners_.erase(found);
            }
        }
    }
}

void Store::commit(const Change& change) {
    hub_.publish(change);
    for (const auto& listener : listeners_) {
        listener(change);
    }
}

}  // namespace kemu
