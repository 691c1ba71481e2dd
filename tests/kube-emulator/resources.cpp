#include "resources.hpp"

#include <stdexcept>

namespace kemu {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

std::vector<ResourceType> make_resources() {
    std::vector<ResourceType> r;
    r.push_back({"frameworkcontroller.microsoft.com",
                 "v1",
                 "frameworks",
                 "framework",
                 "Framework",
                 true,
                 {},
                 kAllVerbs,
                 true,
                 true});
    r.push_back(
        {"kubeflow.org", "v1", "tfjobs", "tfjob", "TFJob", true, {}, kAllVerbs, true, true});
    r.push_back({"kubeflow.org",
                 "v1",
                 "pytorchjobs",
                 "pytorchjob",
                 "PyTorchJob",
                 true,
                 {},
                 kAllVerbs,
                 true,
                 true});
    r.push_back({"", "v1", "pods", "pod", "Pod", true, {"po"}, kAllVerbs, true, true});
    r.push_back({"", "v1", "secrets", "secret", "Secret", true, {}, kAllVerbs, false, true});
    r.push_back({"", "v1", "events", "event", "Event", true, {"ev"}, kAllVerbs, false, true});
    r.push_back({"",
                 "v1",
                 "namespaces",
                 "namespace",
                 "Namespace",
                 false,
                 {"ns"},
                 {"create", "delete", "get", "list", "watch"},
                 false,
                 true});
    r.push_back({"authorization.k8s.io",
                 "v1",
                 "selfsubjectaccessreviews",
                 "selfsubjectaccessreview",
                 "SelfSubjectAccessReview",
                 false,
                 {},
                 {"create"},
                 false,
                 false});
    return r;
}

std::vector<std::string>& unserved() {
    static std::vector<std::string> names;  // qualified names; set before the server starts
    return names;
}

}  // namespace

bool stop_serving(std::string_view name) {
    for (const auto& rt : all_resources()) {
        if (rt.qualified() == name || rt.plural == name) {
            unserved().push_back(rt.qualified());
            return true;
        }
    }
    return false;
}

bool served(const ResourceType& rt) {
    for (const auto& name : unserved()) {
        if (name == rt.qualified()) {
            return false;
        }
    }
    return true;
}

const std::vector<ResourceType>& all_resources() {
    static const std::vector<ResourceType> kResources = make_resources();
    return kResources;
}

const ResourceType* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural) {
    for (const auto& rt : all_resources()) {
        if (rt.group == group && rt.version == version && rt.plural == plural) {
            return served(rt) ? &rt : nullptr;
        }
    }
    return nullptr;
}

const ResourceType& resource(std::string_view plural) {
    for (const auto& rt : all_resources()) {
        if (rt.plural == plural) {
            return rt;
        }
    }
    throw std::logic_error("unknown resource " + std::string(plural));
}

}  // namespace kemu
