// The bytes of the "200 OK" answer to an accepted push on a keep-alive HTTP/1.1
// connection, written without Beast's serializer: most requests get this answer, and
// serializing a header the server builds the same way every time cost about as much as
// reading the request. The bytes are exactly those Beast writes for the same message
// (tests/unit/metrics-server compares them); any other answer still goes through Beast.
#pragma once

#include <string>
#include <string_view>

namespace tshost::metrics {

/// Replaces `out` with the whole response: status line, Content-Type: application/json,
/// Content-Length, then `json_body`. Reuses `out`'s capacity.
void write_ok_response(std::string& out, std::string_view json_body);

}  // namespace tshost::metrics
