// Discovery documents (/version, /api, /apis, APIResourceLists) and the OpenAPI documents kubectl
// fetches before create/apply.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common.hpp"

namespace kemu {

json version_info();
json api_versions(const std::string& server_address);
json api_group_list();
/// nullopt when the group is not served.
std::optional<json> api_group(const std::string& group);
std::optional<json> api_resource_list(const std::string& group, const std::string& version);

/// OpenAPI v3: the root index and one document per group-version. Every resource gets a PATCH
/// operation that declares `fieldValidation`, so kubectl leaves validation to this server instead
/// of validating client-side. `schemas` maps kind → openAPIV3Schema (from the CRDs).
json openapi_v3_root();
std::optional<json> openapi_v3_doc(const std::string& gv_path,
                                   const std::map<std::string, json>& schemas);
json openapi_v2();

}  // namespace kemu
