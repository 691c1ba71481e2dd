#include "config.hpp"

#include <nlohmann/json.hpp>
#include <tshost/plugin.hpp>

namespace nfsplugin {
namespace {

template <class T>
std::optional<T> optional_value(const nlohmann::json& j, const char* key) {
    if (!j.contains(key)) {
        return std::nullopt;
    }
    return j.at(key).get<T>();
}

void trim_trailing_slashes(std::string& path) {
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
}

}  // namespace

Config parse_config(std::string_view json) {
    Config c;
    try {
        const auto j = nlohmann::json::parse(json);
        c.server = j.at("server").get<std::string>();
        c.path = j.at("path").get<std::string>();
        c.version = j.value("version", 3);
        c.local_mount_path = j.value("localMountPath", std::string());
        c.mount_path = j.value("mountPath", std::string("/tmp/mount"));
        c.port = optional_value<int>(j, "port");
        c.mount_port = optional_value<int>(j, "mountPort");
        // uid/gid go to libnfs as int; values above INT_MAX are not real ids.
        c.uid = optional_value<int>(j, "uid");
        c.gid = optional_value<int>(j, "gid");
        c.retries = j.value("retries", 5);
        c.timeout_ms = j.value("timeoutMs", 15000);
    } catch (const nlohmann::json::exception& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, std::string("nfs config: ") + e.what());
    }
    if (c.server.empty() || c.path.empty() || c.path.front() != '/') {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                            "nfs config: 'server' must be set and 'path' must be an absolute "
                            "export path such as /export");
    }
    if (c.version != 3 && c.version != 4) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, "nfs config: 'version' must be 3 or 4");
    }
    trim_trailing_slashes(c.path);
    trim_trailing_slashes(c.local_mount_path);
    trim_trailing_slashes(c.mount_path);
    return c;
}

}  // namespace nfsplugin
