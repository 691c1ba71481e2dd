#pragma once

#include <string>
#include <string_view>

#include "tshost/kube/resource.hpp"

namespace tshost::kube {

// RFC 3986 percent-encoding of everything but unreserved characters, so selectors such as
// "app in (a,b),!x" survive as one query value.
std::string percentEncode(std::string_view value);

class Query {
  public:
    // Empty values are skipped: an empty selector means "no selector".
    Query& add(std::string_view key, std::string_view value);
    // "?k=v&..." or "" when empty.
    std::string str() const;

  private:
    std::string text_;
};

// /api/v1/namespaces/<ns>/<plural> or /apis/<group>/<version>/namespaces/<ns>/<plural>
std::string collectionPath(const ResourceRef& ref, std::string_view namespace_name);
std::string objectPath(const ResourceRef& ref, std::string_view namespace_name,
                       std::string_view name);

}  // namespace tshost::kube
