// Shared Key verification, written from Azure's "Authorize with Shared Key" rules
// independently of the plugin's signer, so a bug in one is caught by the other.
#pragma once

#include <string>

#include "request.hpp"

namespace azemu {

struct AuthResult {
    bool ok = false;
    std::string reason;  // why not, for the 403 message
};

/// Checks the Authorization header of `req` against account `account` whose
/// decoded key is `key`.
AuthResult verify_shared_key(const HttpRequest& req, const std::string& account,
                             const std::string& key);

/// The string the service signs for `req` (exposed for the 403 message, as Azure does).
std::string service_string_to_sign(const HttpRequest& req, const std::string& account);

std::string base64(const std::string& bytes);
std::string unbase64(const std::string& text);

}  // namespace azemu
