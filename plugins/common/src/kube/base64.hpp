#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tshost::kube {

// Standard alphabet, padding optional, whitespace ignored (kubeconfig *-data fields are often
// wrapped). nullopt on any other character.
std::optional<std::string> base64Decode(std::string_view in);
std::string base64Encode(std::string_view in);

}  // namespace tshost::kube
