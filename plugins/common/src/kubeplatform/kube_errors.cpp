#include "tshost/kubeplatform/kube_errors.hpp"

namespace tshost::kubeplatform {

tshost::Error to_plugin_error(const tshost::kube::KubeError& e, const std::string& doing) {
    tsh_status status = TSH_ERR_GENERIC;
    if (e.retryable()) {
        status = TSH_ERR_TRANSIENT;
    } else if (e.code() == 401 || e.code() == 403) {
        status = TSH_ERR_PERMISSION;
    } else if (e.code() == 404) {
        status = TSH_ERR_NOT_FOUND;
    } else if (e.code() == 409) {
        status = TSH_ERR_EXISTS;
    } else if (e.code() == 400 || e.code() == 422) {
        status = TSH_ERR_INVALID_ARGUMENT;
    }
    // what() is the library's redacted message: it never holds credentials.
    return tshost::Error(status, doing + ": " + e.what());
}

}  // namespace tshost::kubeplatform
