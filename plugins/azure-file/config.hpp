// The plugin's configuration: NNI's azureStorage keys plus key sources for users
// without Key Vault, endpoint overrides and retry limits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tshost::azure {

/// JSON Schema of the config section (draft 2020-12). Exactly one key source:
/// Key Vault (both names), an environment variable, or a file.
inline constexpr const char* kConfigSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": ["azureAccount", "azureShare"],
  "properties": {
    "azureAccount": {"type": "string", "pattern": "^[a-z0-9]{3,24}$",
      "description": "Storage account name (as in NNI's azureStorage.azureAccount)."},
    "azureShare": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
      "description": "File share name; created when missing (NNI's azureStorage.azureShare)."},
    "keyVaultName": {"type": "string", "minLength": 1,
      "description": "Key Vault holding the account key, read with the az CLI (NNI's keyVaultName)."},
    "keyVaultKey": {"type": "string", "minLength": 1,
      "description": "Name of the Key Vault secret whose value is the account key (NNI's keyVaultKey)."},
    "accountKeyEnv": {"type": "string", "minLength": 1,
      "description": "Instead of Key Vault: name of an environment variable holding the account key."},
    "accountKeyFile": {"type": "string", "minLength": 1,
      "description": "Instead of Key Vault: path of a file holding the account key."},
    "endpointSuffix": {"type": "string", "minLength": 1, "default": "core.windows.net",
      "description": "DNS suffix of the storage service; change it for sovereign clouds (e.g. core.chinacloudapi.cn)."},
    "endpoint": {"type": "string", "pattern": "^https?://",
      "description": "Full File service URL overriding account and suffix, e.g. http://127.0.0.1:PORT/devaccount for a local endpoint."},
    "mountPath": {"type": "string", "pattern": "^/", "default": "/tmp/mount",
      "description": "Where pods mount the share root."},
    "uploadRetryCount": {"type": "integer", "minimum": 0, "maximum": 20, "default": 5,
      "description": "Retries of a failed request (throttling, server errors, lost connections) after the first attempt."},
    "timeoutMs": {"type": "integer", "minimum": 1000, "maximum": 3600000, "default": 120000,
      "description": "Deadline of one request in milliseconds, retries and waits included; also bounds the az call."}
  },
  "oneOf": [
    {"required": ["keyVaultName", "keyVaultKey"]},
    {"required": ["accountKeyEnv"]},
    {"required": ["accountKeyFile"]}
  ]
})json";

struct Config {
    std::string account;
    std::string share;
    std::string key_vault_name;  // with key_vault_key: read the key through `az`
    std::string key_vault_key;
    std::string key_env;   // or: the name of an environment variable holding the key
    std::string key_file;  // or: a file holding the key
    std::string endpoint_suffix = "core.windows.net";
    std::string endpoint;  // full URL override, e.g. http://127.0.0.1:PORT/devaccount
    std::string mount_path = "/tmp/mount";
    int upload_retry_count = 5;   // retries after the first attempt
    int64_t timeout_ms = 120000;  // per request, retries included
};

/// Parses a config the host already validated against kConfigSchema, then checks
/// what a schema cannot say well (exactly one key source). Throws tshost::Error.
Config parse_config(std::string_view json);

}  // namespace tshost::azure
