#include "config.hpp"

#include <nlohmann/json.hpp>
#include <tshost/plugin.hpp>

namespace tshost::azure {

namespace {

std::string text(const nlohmann::json& j, const char* key, std::string fallback = {}) {
    return j.contains(key) ? j.at(key).get<std::string>() : fallback;
}

}  // namespace

Config parse_config(std::string_view json) {
    const auto j = nlohmann::json::parse(json);
    Config c;
    c.account = text(j, "azureAccount");
    c.share = text(j, "azureShare");
    c.key_vault_name = text(j, "keyVaultName");
    c.key_vault_key = text(j, "keyVaultKey");
    c.key_env = text(j, "accountKeyEnv");
    c.key_file = text(j, "accountKeyFile");
    c.endpoint_suffix = text(j, "endpointSuffix", c.endpoint_suffix);
    c.endpoint = text(j, "endpoint");
    c.mount_path = text(j, "mountPath", c.mount_path);
    c.upload_retry_count = j.value("uploadRetryCount", c.upload_retry_count);
    c.timeout_ms = j.value("timeoutMs", c.timeout_ms);
    while (c.endpoint.ends_with('/')) {
        c.endpoint.pop_back();
    }

    const bool vault = !c.key_vault_name.empty() || !c.key_vault_key.empty();
    const int sources = int{vault} + int{!c.key_env.empty()} + int{!c.key_file.empty()};
    if (sources != 1) {
        throw Error(TSH_ERR_INVALID_ARGUMENT,
                    "give exactly one account key source: keyVaultName + keyVaultKey, "
                    "accountKeyEnv or accountKeyFile");
    }
    if (vault && (c.key_vault_name.empty() || c.key_vault_key.empty())) {
        throw Error(TSH_ERR_INVALID_ARGUMENT, "keyVaultName and keyVaultKey go together");
    }
    if (c.account.empty() || c.share.empty()) {
        throw Error(TSH_ERR_INVALID_ARGUMENT, "azureAccount and azureShare are required");
    }
    return c;
}

}  // namespace tshost::azure
