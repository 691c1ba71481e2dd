#include "gc.hpp"

namespace kemu {
namespace {

void delete_dependents(Store& store, Loop& loop, const std::string& uid) {
    for (const auto& [rt, obj] : store.dependents(uid)) {
        delete_object(store, loop, *rt, get_string(*obj, {"metadata", "namespace"}),
                      get_string(*obj, {"metadata", "name"}), Propagation::Background);
    }
}

}  // namespace

Result<ObjPtr> delete_object(Store& store, Loop& loop, const ResourceType& rt,
                             const std::string& ns, const std::string& name, Propagation policy) {
    const ObjPtr existing = store.get(rt, ns, name);
    if (!existing) {
        return not_found(rt, name);
    }
    const std::string uid = get_string(*existing, {"metadata", "uid"});
    switch (policy) {
        case Propagation::Foreground:
            delete_dependents(store, loop, uid);
            break;
        case Propagation::Orphan:
            for (const auto& [dep_rt, dep] : store.dependents(uid)) {
                json copy = *dep;
                json& refs = copy["metadata"]["ownerReferences"];
                for (auto it = refs.begin(); it != refs.end();) {
                    it = it->value("uid", "") == uid ? refs.erase(it) : it + 1;
                }
                copy["metadata"].erase("resourceVersion");
                store.update(*dep_rt, std::move(copy), Store::Scope::All);
            }
            break;
        case Propagation::Background:
            loop.post([&store, &loop, uid] { delete_dependents(store, loop, uid); });
            break;
    }
    return store.remove(rt, ns, name);
}

}  // namespace kemu
