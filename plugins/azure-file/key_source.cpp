#include "key_source.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tshost/plugin.hpp>

#include "crypto.hpp"
#include "redact.hpp"

namespace tshost::azure {
namespace {

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

std::string first_chars(const std::string& s, size_t n) {
    return s.size() <= n ? s : s.substr(0, n) + "…";
}

AccountKey from_key_vault(const Config& c, std::chrono::milliseconds timeout) {
    AccountKey key;
    key.source = "Key Vault '" + c.key_vault_name + "' secret '" + c.key_vault_key + "'";
    const std::string command =
        "az keyvault secret show --name " + c.key_vault_key + " --vault-name " + c.key_vault_name;
    const ProcessResult r =
        run_process({"az", "keyvault", "secret", "show", "--name", c.key_vault_key, "--vault-name",
                     c.key_vault_name, "--query", "value", "-o", "tsv"},
                    timeout);
    std::string value = trim(r.out);
    // Tolerate an az (or wrapper) that prints the whole secret as JSON.
    if (value.starts_with('{')) {
        const auto j = nlohmann::json::parse(value, nullptr, false);
        value = j.is_object() && j.contains("value") && j["value"].is_string()
                    ? trim(j["value"].get<std::string>())
                    : std::string();
    }
    const std::vector<std::string> secrets{value, base64_encode(value), trim(r.out)};
    const std::string err = first_chars(redact(trim(r.err), secrets), 600);
    if (r.exit_code != 0) {
        throw Error(TSH_ERR_PERMISSION,
                    "'" + command + "' failed with exit code " + std::to_string(r.exit_code) +
                        (err.empty() ? "" : ": " + err) +
                        " (is az logged in ('az login') and allowed to read secrets of vault '" +
                        c.key_vault_name + "'?)");
    }
    if (value.empty()) {
        throw Error(TSH_ERR_PERMISSION,
                    "'" + command + "' printed no secret value" + (err.empty() ? "" : ": " + err));
    }
    key.text = value;
    key.warnings = err;
    return key;
}

AccountKey from_env(const Config& c) {
    AccountKey key;
    key.source = "environment variable '" + c.key_env + "'";
    const char* value = std::getenv(c.key_env.c_str());
    key.text = trim(value != nullptr ? value : "");
    if (key.text.empty()) {
        throw Error(TSH_ERR_INVALID_ARGUMENT,
                    "accountKeyEnv: environment variable '" + c.key_env + "' is not set or empty");
    }
    return key;
}

AccountKey from_file(const Config& c) {
    AccountKey key;
    key.source = "file '" + c.key_file + "'";
    std::ifstream in(c.key_file, std::ios::binary);
    if (!in) {
        throw Error(TSH_ERR_INVALID_ARGUMENT,
                    "accountKeyFile: cannot read '" + c.key_file + "': " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    key.text = trim(text.str());
    if (key.text.empty()) {
        throw Error(TSH_ERR_INVALID_ARGUMENT, "accountKeyFile: '" + c.key_file + "' is empty");
    }
    return key;
}

}  // namespace

AccountKey load_account_key(const Config& config, std::chrono::milliseconds timeout) {
    AccountKey key = !config.key_vault_name.empty() ? from_key_vault(config, timeout)
                     : !config.key_env.empty()      ? from_env(config)
                                                    : from_file(config);
    auto decoded = base64_decode(key.text);
    if (!decoded || decoded->empty()) {
        throw Error(TSH_ERR_INVALID_ARGUMENT,
                    "the account key from " + key.source +
                        " is not valid base64 (Azure shows storage account keys as 88 base64 "
                        "characters under 'Access keys')");
    }
    key.decoded = std::move(*decoded);
    return key;
}

}  // namespace tshost::azure
