#include "request.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>

namespace azemu {

std::string url_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::string> Target::param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Target parse_target(std::string_view target) {
    Target t;
    const size_t q = target.find('?');
    t.raw_path = std::string(target.substr(0, q));
    if (q == std::string_view::npos) {
        return t;
    }
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const size_t eq = pair.find('=');
        t.query.emplace(url_decode(pair.substr(0, eq)),
                        eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1)));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return t;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

HttpResponse azure_ok(const HttpRequest& req, http::status status) {
    static std::atomic<unsigned long> next_id{1};
    HttpResponse res{status, req.version()};
    res.set("x-ms-request-id", std::to_string(next_id++));
    res.set("x-ms-version", std::string(req["x-ms-version"]));
    res.set(http::field::server, "azure-files-emulator");
    res.keep_alive(req.keep_alive());
    return res;
}

HttpResponse azure_error(const HttpRequest& req, http::status status, const std::string& code,
                         const std::string& message) {
    HttpResponse res = azure_ok(req, status);
    res.set("x-ms-error-code", code);
    if (req.method() != http::verb::head) {
        res.set(http::field::content_type, "application/xml");
        res.body() = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + xml_escape(code) +
                     "</Code><Message>" + xml_escape(message) + "</Message></Error>";
    }
    res.prepare_payload();
    return res;
}

}  // namespace azemu
