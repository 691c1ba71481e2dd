#include "controller_util.hpp"

#include "resources.hpp"

namespace kemu {

void ReconcileQueue::enqueue(const std::string& ns, const std::string& name) {
    dirty_.emplace(ns, name);
    if (scheduled_) {
        return;
    }
    scheduled_ = true;
    loop_.post([this] {
        scheduled_ = false;
        auto batch = std::move(dirty_);
        dirty_.clear();
        for (const auto& [key_ns, key_name] : batch) {
            fn_(key_ns, key_name);
        }
    });
}

json controller_owner_reference(const json& owner) {
    return {{"apiVersion", owner.value("apiVersion", "")},
            {"kind", owner.value("kind", "")},
            {"name", get_string(owner, {"metadata", "name"})},
            {"uid", get_string(owner, {"metadata", "uid"})},
            {"controller", true},
            {"blockOwnerDeletion", true}};
}

std::string controller_owner(const json& obj, const std::string& kind) {
    const auto meta = obj.find("metadata");
    if (meta == obj.end() || !meta->contains("ownerReferences") ||
        !(*meta)["ownerReferences"].is_array()) {
        return {};
    }
    for (const auto& ref : (*meta)["ownerReferences"]) {
        if (ref.is_object() && ref.value("kind", "") == kind && ref.value("controller", false)) {
            return ref.value("name", "");
        }
    }
    return {};
}

json pod_from_template(const json& owner, const std::string& name, const json& pod_template,
                       const json& labels, const json& annotations, const json& env,
                       const std::string& restart_policy) {
    json meta = pod_template.value("metadata", json::object());
    if (!meta.is_object()) {
        meta = json::object();
    }
    meta.erase("creationTimestamp");
    meta["name"] = name;
    meta["namespace"] = get_string(owner, {"metadata", "namespace"});
    json& l = meta["labels"];
    if (!l.is_object()) {
        l = json::object();
    }
    l.update(labels);
    json& a = meta["annotations"];
    if (!a.is_object()) {
        a = json::object();
    }
    a.update(annotations);
    meta["ownerReferences"] = json::array({controller_owner_reference(owner)});
    json spec = pod_template.value("spec", json::object());
    if (!restart_policy.empty()) {
        spec["restartPolicy"] = restart_policy;
    }
    for (const char* list : {"initContainers", "containers"}) {
        if (!spec.contains(list) || !spec[list].is_array()) {
            continue;
        }
        for (auto& c : spec[list]) {
            json& e = c["env"];
            if (!e.is_array()) {
                e = json::array();
            }
            for (const auto& item : env) {
                e.push_back(item);
            }
        }
    }
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", meta},
            {"spec", spec},
            {"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}}}};
}

void write_status(Store& store, const ResourceType& rt, const json& obj, json status) {
    if (obj.contains("status") && obj["status"] == status) {
        return;
    }
    json next = obj;
    next["status"] = std::move(status);
    store.update(rt, std::move(next), Store::Scope::Status);
}

std::map<std::string, ObjPtr> owned_pods(Store& store, const std::string& ns,
                                         const std::string& owner_uid) {
    std::map<std::string, ObjPtr> out;
    for (const auto& [rt, obj] : store.dependents(owner_uid)) {
        if (rt->plural == "pods" && get_string(*obj, {"metadata", "namespace"}) == ns) {
            out[get_string(*obj, {"metadata", "name"})] = obj;
        }
    }
    return out;
}

}  // namespace kemu
