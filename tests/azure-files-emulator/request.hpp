// The parts of an HTTP request the emulator reasons about, and Azure-shaped
// responses (XML error bodies with the error code also in x-ms-error-code).
#pragma once

#include <boost/beast/http.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace azemu {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

/// Beast (Boost 1.74) hands out boost::string_view; the emulator works in std.
inline std::string_view sv(boost::beast::string_view s) {
    return {s.data(), s.size()};
}

std::string url_decode(std::string_view text);
std::string to_lower(std::string_view text);

/// Splits a request target into its raw path and its decoded query parameters
/// (a name may repeat).
struct Target {
    std::string raw_path;
    std::multimap<std::string, std::string> query;
    std::optional<std::string> param(const std::string& name) const;
};
Target parse_target(std::string_view target);

/// An Azure error response: status, XML <Error><Code/><Message/></Error> body.
HttpResponse azure_error(const HttpRequest& req, http::status status, const std::string& code,
                         const std::string& message);
/// An empty response with the headers every File service response carries.
HttpResponse azure_ok(const HttpRequest& req, http::status status);

std::string xml_escape(std::string_view text);

}  // namespace azemu
