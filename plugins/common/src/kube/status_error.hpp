#pragma once

#include <string>
#include <string_view>

#include "kube/redact.hpp"
#include "tshost/kube/error.hpp"
#include "tshost/kube/resource.hpp"

namespace tshost::kube {

// What a request was for, so an error can say it ("create tfjobs.kubeflow.org x: ...").
struct RequestContext {
    std::string verb;      // create, get, list, delete, deletecollection, patch, watch
    std::string resource;  // ResourceRef::displayName()
    std::string group;
    std::string namespace_name;
    std::string name;          // "" for collection requests
    std::string context_name;  // whose credentials, for 401/403
};

// A non-2xx response turned into a KubeError; `body` is usually a metav1.Status.
KubeError statusError(const RequestContext& ctx, long http_status, std::string_view body,
                      const Redactor& redactor);
// A failure without a usable response (reason ConnectionFailed, Timeout, Cancelled, ...).
KubeError requestError(const RequestContext& ctx, std::string reason, std::string_view detail,
                       const Redactor& redactor);

}  // namespace tshost::kube
