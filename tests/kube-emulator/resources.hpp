// The fixed set of resource types the emulator serves, with what discovery needs to say about them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kemu {

struct ResourceType {
    std::string group;  // "" for the core group
    std::string version;
    std::string plural;
    std::string singular;
    std::string kind;
    bool namespaced = true;
    std::vector<std::string> short_names;
    std::vector<std::string> verbs;
    bool status_subresource = false;
    bool stored = true;  // false for virtual resources (selfsubjectaccessreviews)

    std::string api_version() const { return group.empty() ? version : group + "/" + version; }
    /// "tfjobs.kubeflow.org" / "pods", as error messages name resources.
    std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
    std::string list_kind() const { return kind + "List"; }
};

const std::vector<ResourceType>& all_resources();
const ResourceType* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural);
/// Stops serving a resource through the API (routing and discovery), as a cluster without that
/// CRD: "frameworks.frameworkcontroller.microsoft.com" or "frameworks". Internal callers still
/// find it with resource(). Call before serving. False when no resource has that name.
bool stop_serving(std::string_view name);
bool served(const ResourceType& rt);
/// Lookup for internal callers that know the plural is unique across groups.
const ResourceType& resource(std::string_view plural);

}  // namespace kemu
