#include "tshost/kubeplatform/pod_spec_patch.hpp"

#include <stdexcept>

namespace tshost::kubeplatform {
namespace {

using nlohmann::json;

json merged(const json& target, const json& patch, const std::string& key);

/// The key that identifies an item of the list named `list`, "" for a list merged as RFC 7386
/// says (replaced whole).
const char* identity_of(const std::string& list) {
    if (list == "containers" || list == "initContainers" || list == "volumes" || list == "env") {
        return "name";
    }
    if (list == "volumeMounts") {
        return "mountPath";
    }
    return "";
}

json merged_list(const json& target, const json& patch, const char* id) {
    json out = target.is_array() ? target : json::array();
    for (const json& item : patch) {
        bool found = false;
        if (item.is_object() && item.contains(id)) {
            for (json& existing : out) {
                if (existing.is_object() && existing.value(id, json()) == item[id]) {
                    existing = merged(existing, item, "");
                    found = true;
                }
            }
        }
        if (!found) {
            out.push_back(item);
        }
    }
    return out;
}

// RFC 7386 MergePatch, with named lists merged by their identity.
json merged(const json& target, const json& patch, const std::string& key) {
    if (patch.is_array() && *identity_of(key) != '\0') {
        return merged_list(target, patch, identity_of(key));
    }
    if (!patch.is_object()) {
        return patch;
    }
    json out = target.is_object() ? target : json::object();
    for (const auto& [k, v] : patch.items()) {
        if (v.is_null()) {
            out.erase(k);
        } else {
            out[k] = merged(out.contains(k) ? out[k] : json(), v, k);
        }
    }
    return out;
}

const json* find_named(const json& list, const char* id, const json& value) {
    if (!list.is_array()) {
        return nullptr;
    }
    for (const json& item : list) {
        if (item.is_object() && item.value(id, json()) == value) {
            return &item;
        }
    }
    return nullptr;
}

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
    throw std::invalid_argument(where + ": " + what +
                                " is tshost's own and must stay as generated; patch only what "
                                "you add (see `tshost render` for the generated pod spec)");
}

// Pointers into `after` only: json::value() returns copies, which would not outlive a lookup.
const json& list_of(const json& object, const char* key) {
    static const json kEmpty = json::array();
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : kEmpty;
}

void check_kept(const json& before, const json& after, const std::string& where) {
    for (const json& volume : list_of(before, "volumes")) {
        const json* kept = find_named(list_of(after, "volumes"), "name", volume["name"]);
        if (kept == nullptr || *kept != volume) {
            refuse(where, "volume " + volume["name"].get<std::string>());
        }
    }
    for (const char* list : {"initContainers", "containers"}) {
        for (const json& c : list_of(before, list)) {
            const std::string name = c.value("name", "");
            const json* kept = find_named(list_of(after, list), "name", c["name"]);
            if (kept == nullptr) {
                refuse(where, std::string(list) + " " + name);
            }
            for (const char* field : {"image", "command", "args"}) {
                if (c.value(field, json()) != kept->value(field, json())) {
                    refuse(where, "the " + std::string(field) + " of container " + name);
                }
            }
            for (const json& mount : list_of(c, "volumeMounts")) {
                const json* m =
                    find_named(list_of(*kept, "volumeMounts"), "mountPath", mount["mountPath"]);
                if (m == nullptr || *m != mount) {
                    refuse(where, "the volume mount " + mount["mountPath"].get<std::string>() +
                                      " of container " + name);
                }
            }
        }
    }
}

}  // namespace

json strategic_merge(const json& target, const json& patch) {
    return merged(target, patch, "");
}

json patched_pod_spec(const json& spec, const json& patch, const std::string& where) {
    if (patch.is_null()) {
        return spec;
    }
    if (!patch.is_object()) {
        throw std::invalid_argument(where +
                                    ": a JSON merge patch of the pod spec is an object, "
                                    "e.g. {nodeSelector: {gpu: a100}}");
    }
    json out = merged(spec, patch, "");
    check_kept(spec, out, where);
    return out;
}

}  // namespace tshost::kubeplatform
