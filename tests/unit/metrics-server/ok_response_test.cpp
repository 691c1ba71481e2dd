// The hand-written 200 must be byte for byte what Beast writes for the same message, so
// clients cannot tell which path answered.
#include "metrics/ok_response.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace http = boost::beast::http;

namespace {

// What MetricsServer's Beast path writes for a 200 on a keep-alive HTTP/1.1 connection.
std::string beast_ok(const std::string& body) {
    http::response<http::string_body> res;
    res.result(http::status::ok);
    res.version(11);
    res.set(http::field::content_type, "application/json");
    res.body() = body;
    res.keep_alive(true);
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return out.str();
}

}  // namespace

TEST(OkResponse, IsWhatBeastWritesForTheSameMessage) {
    std::string out = "left over from an earlier response, longer than the next one";
    const std::vector<std::string> bodies = {R"({"accepted":1})", R"({"accepted":100})",
                                             R"({"status":"ok"})", "{}", std::string(5000, 'x')};
    for (const auto& body : bodies) {
        tshost::metrics::write_ok_response(out, body);
        EXPECT_EQ(out, beast_ok(body));
    }
    EXPECT_EQ(beast_ok(R"({"accepted":1})"),
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n"
              R"({"accepted":1})");
}
