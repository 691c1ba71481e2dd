#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tshost::kube {

// One resource type, e.g. {"kubeflow.org", "v1", "tfjobs"} or core {"", "v1", "secrets"}.
struct ResourceRef {
    std::string group;  // "" for the core group, served under /api/<version>
    std::string version;
    std::string plural;
    std::string namespace_name;  // "" means the client's default namespace
    bool cluster_scoped = false;  // namespaces, selfsubjectaccessreviews: no namespace in the path

    // "tfjobs.kubeflow.org", or "secrets" for the core group: how kubectl names the type.
    std::string displayName() const;
};

struct ListOptions {
    std::string label_selector;
    std::string field_selector;
    std::int64_t page_size = 500;  // `limit`; pages are collected transparently
    std::string resource_version;  // "" = most recent (quorum read)
};

struct ListResult {
    std::vector<nlohmann::json> items;
    std::string resource_version;  // of the list: where a watch continues from
};

enum class PropagationPolicy { kDefault, kBackground, kForeground, kOrphan };

struct DeleteOptions {
    PropagationPolicy propagation = PropagationPolicy::kBackground;
    std::optional<std::int64_t> grace_period_seconds;
};

enum class PatchType { kMerge, kJson };

struct CreateResult {
    nlohmann::json object;
    // The create failed ambiguously (connection lost or timeout after the request was sent),
    // and a GET then found an object with that name: almost certainly ours, since callers use
    // deterministic names, but the API server never confirmed it. The equivalent of a 409 that
    // the caller chooses to treat as success.
    bool recovered_after_ambiguous_failure = false;
};

struct WatchEvent {
    enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
    Type type = Type::kAdded;
    nlohmann::json object;
};

// "a=b,c=d" from key/value pairs (equality-based selector), in the given order.
std::string labelSelector(const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace tshost::kube
