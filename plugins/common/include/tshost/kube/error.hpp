#pragma once

#include <stdexcept>
#include <string>

namespace tshost::kube {

// Every failure of this library: an API Status (code = HTTP status), a transport failure
// (code 0, reason "ConnectionFailed"/"Timeout"), or bad configuration (code 0, reason
// "InvalidConfig"). what() is the full human-readable message; it never contains credentials.
class KubeError : public std::runtime_error {
  public:
    KubeError(int code, std::string reason, std::string message);

    int code() const noexcept { return code_; }
    const std::string& reason() const noexcept { return reason_; }
    const std::string& message() const noexcept { return message_; }
    // Whether the same request may succeed later: 429, 5xx (except 501) and transport failures.
    bool retryable() const noexcept;

  private:
    int code_;
    std::string reason_;
    std::string message_;
};

}  // namespace tshost::kube
