#include "metrics/ok_response.hpp"

namespace tshost::metrics {

void write_ok_response(std::string& out, std::string_view json_body) {
    constexpr std::string_view kHead =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ";
    out.assign(kHead);
    out += std::to_string(json_body.size());
    out += "\r\n\r\n";
    out += json_body;
}

}  // namespace tshost::metrics
