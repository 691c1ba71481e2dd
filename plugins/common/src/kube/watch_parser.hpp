#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "tshost/kube/resource.hpp"

namespace tshost::kube {

// Splits a watch response body (newline-delimited WatchEvent JSON, arriving in arbitrary chunks)
// into events. Throws KubeError (reason "InvalidResponse") on a malformed line or one larger
// than the bound, after which the stream must be reopened.
class WatchStreamParser {
  public:
    using Sink = std::function<void(WatchEvent&&)>;

    explicit WatchStreamParser(std::size_t max_line = 64u << 20) : max_line_(max_line) {}
    void feed(std::string_view chunk, const Sink& sink);
    // Bytes of an incomplete event held back.
    std::size_t pending() const { return buffer_.size(); }

  private:
    std::size_t max_line_;
    std::string buffer_;
};

// One decoded line; exposed for tests.
WatchEvent parseWatchEvent(std::string_view line);

}  // namespace tshost::kube
