#include "discovery.hpp"

#include <set>

#include "resources.hpp"

namespace kemu {
namespace {

/// "api/v1" or "apis/<group>/<version>", as OpenAPI v3 names group-versions.
std::string gv_path(const ResourceType& rt) {
    return rt.group.empty() ? "api/" + rt.version : "apis/" + rt.group + "/" + rt.version;
}

json group_entry(const std::string& group) {
    for (const auto& rt : all_resources()) {
        if (rt.group == group && served(rt)) {
            const json v = {{"groupVersion", rt.api_version()}, {"version", rt.version}};
            return {{"name", group}, {"versions", json::array({v})}, {"preferredVersion", v}};
        }
    }
    return nullptr;
}

json path_item(const ResourceType& rt) {
    const json gvk = {{"group", rt.group}, {"version", rt.version}, {"kind", rt.kind}};
    const json params = json::array(
        {{{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
         {{"name", "fieldManager"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
         {{"name", "dryRun"}, {"in", "query"}, {"schema", {{"type", "string"}}}}});
    json op = {{"x-kubernetes-group-version-kind", gvk},
               {"parameters", params},
               {"responses", {{"200", {{"description", "OK"}}}}}};
    json item = {{"patch", op}, {"put", op}, {"get", op}, {"delete", op}};
    item["get"].erase("parameters");
    item["delete"].erase("parameters");
    return item;
}

}  // namespace

json version_info() {
    return {{"major", "1"},
            {"minor", "32"},
            {"gitVersion", "v1.32.0-kube-emulator"},
            {"gitCommit", "0000000000000000000000000000000000000000"},
            {"gitTreeState", "clean"},
            {"buildDate", "2025-01-01T00:00:00Z"},
            {"goVersion", "go1.23.0"},
            {"compiler", "gc"},
            {"platform", "linux/amd64"}};
}

json api_versions(const std::string& server_address) {
    return {{"kind", "APIVersions"},
            {"versions", json::array({"v1"})},
            {"serverAddressByClientCIDRs",
             json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}})}};
}

json api_group_list() {
    json groups = json::array();
    std::set<std::string> seen;
    for (const auto& rt : all_resources()) {
        if (!rt.group.empty() && served(rt) && seen.insert(rt.group).second) {
            groups.push_back(group_entry(rt.group));
        }
    }
    return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> api_group(const std::string& group) {
    json g = group_entry(group);
    if (g.is_null()) {
        return std::nullopt;
    }
    g["kind"] = "APIGroup";
    g["apiVersion"] = "v1";
    return g;
}

std::optional<json> api_resource_list(const std::string& group, const std::string& version) {
    json resources = json::array();
    for (const auto& rt : all_resources()) {
        if (rt.group != group || rt.version != version || !served(rt)) {
            continue;
        }
        json r = {{"name", rt.plural},
                  {"singularName", rt.singular},
                  {"namespaced", rt.namespaced},
                  {"kind", rt.kind},
                  {"verbs", rt.verbs}};
        if (!rt.short_names.empty()) {
            r["shortNames"] = rt.short_names;
        }
        if (rt.group == "kubeflow.org" || rt.group == "frameworkcontroller.microsoft.com") {
            r["categories"] = json::array({"all"});
        }
        resources.push_back(std::move(r));
        if (rt.status_subresource) {
            resources.push_back({{"name", rt.plural + "/status"},
                                 {"singularName", ""},
                                 {"namespaced", rt.namespaced},
                                 {"kind", rt.kind},
                                 {"verbs", json::array({"get", "patch", "update"})}});
        }
        if (rt.plural == "pods") {
            resources.push_back({{"name", "pods/log"},
                                 {"singularName", ""},
                                 {"namespaced", true},
                                 {"kind", "Pod"},
                                 {"verbs", json::array({"get"})}});
        }
    }
    if (resources.empty()) {
        return std::nullopt;
    }
    return json{{"kind", "APIResourceList"},
                {"apiVersion", "v1"},
                {"groupVersion", group.empty() ? version : group + "/" + version},
                {"resources", resources}};
}

json openapi_v3_root() {
    json paths = json::object();
    for (const auto& rt : all_resources()) {
        const std::string p = gv_path(rt);
        paths[p] = {{"serverRelativeURL", "/openapi/v3/" + p + "?hash=kube-emulator-1"}};
    }
    return {{"paths", paths}};
}

std::optional<json> openapi_v3_doc(const std::string& path,
                                   const std::map<std::string, json>& schemas) {
    json paths = json::object();
    json components = json::object();
    for (const auto& rt : all_resources()) {
        if (gv_path(rt) != path) {
            continue;
        }
        const std::string base =
            "/" + path + (rt.namespaced ? "/namespaces/{namespace}/" : "/") + rt.plural + "/{name}";
        paths[base] = path_item(rt);
        const auto s = schemas.find(rt.kind);
        json schema = s != schemas.end() ? s->second
                                         : json{{"type", "object"},
                                                {"x-kubernetes-preserve-unknown-fields", true}};
        schema["x-kubernetes-group-version-kind"] =
            json::array({{{"group", rt.group}, {"version", rt.version}, {"kind", rt.kind}}});
        const std::string prefix = rt.group.empty() ? "io.k8s.api.core.v1." : rt.group + ".v1.";
        components[prefix + rt.kind] = std::move(schema);
    }
    if (paths.empty()) {
        return std::nullopt;
    }
    return json{{"openapi", "3.0.0"},
                {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0-kube-emulator"}}},
                {"paths", paths},
                {"components", {{"schemas", components}}}};
}

json openapi_v2() {
    return {{"swagger", "2.0"},
            {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0-kube-emulator"}}},
            {"paths", json::object()},
            {"definitions", json::object()}};
}

}  // namespace kemu
