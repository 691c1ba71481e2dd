#include "auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <set>
#include <vector>

namespace azemu {
namespace {

// Header value with runs of whitespace replaced by one space, ends trimmed.
std::string canonical_value(std::string_view v) {
    std::string out;
    for (const char c : v) {
        const bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (!ws) {
            out += c;
        } else if (!out.empty() && out.back() != ' ') {
            out += ' ';
        }
    }
    if (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

}  // namespace

std::string base64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string unbase64(const std::string& text) {
    std::string out(text.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) {
        return {};
    }
    size_t size = static_cast<size_t>(n);
    if (text.ends_with("==")) {
        size -= 2;
    } else if (text.ends_with("=")) {
        size -= 1;
    }
    out.resize(size);
    return out;
}

std::string service_string_to_sign(const HttpRequest& req, const std::string& account) {
    // 1. Verb and the eleven standard headers, in the documented order.
    std::string s = std::string(req.method_string()) + "\n";
    const char* const standard[] = {"Content-Encoding",
                                    "Content-Language",
                                    "Content-Length",
                                    "Content-MD5",
                                    "Content-Type",
                                    "Date",
                                    "If-Modified-Since",
                                    "If-Match",
                                    "If-None-Match",
                                    "If-Unmodified-Since",
                                    "Range"};
    for (const char* name : standard) {
        std::string value(req[name]);
        if (std::string_view(name) == "Content-Length" && value == "0") {
            value = "";  // versions 2015-02-21 and later
        }
        s += value + "\n";
    }
    // 2. Canonicalized headers: every x-ms- header, lowercase, sorted by name.
    std::map<std::string, std::string> ms;
    for (const auto& field : req) {
        const std::string name = to_lower(sv(field.name_string()));
        if (name.rfind("x-ms-", 0) == 0) {
            ms[name] = canonical_value(sv(field.value()));
        }
    }
    for (const auto& [name, value] : ms) {
        s += name + ":" + value + "\n";
    }
    // 3. Canonicalized resource: /account + the encoded path as requested, then
    //    each decoded query parameter, lowercase names sorted, values sorted and
    //    comma-joined.
    const Target target = parse_target(sv(req.target()));
    s += "/" + account + target.raw_path;
    std::map<std::string, std::multiset<std::string>> params;
    for (const auto& [name, value] : target.query) {
        params[to_lower(name)].insert(value);
    }
    for (const auto& [name, values] : params) {
        s += "\n" + name + ":";
        bool first = true;
        for (const auto& v : values) {
            s += (first ? "" : ",") + v;
            first = false;
        }
    }
    return s;
}

AuthResult verify_shared_key(const HttpRequest& req, const std::string& account,
                             const std::string& key) {
    const std::string header(req[http::field::authorization]);
    const std::string prefix = "SharedKey " + account + ":";
    if (header.rfind(prefix, 0) != 0) {
        return {false, "Authorization header missing or not 'SharedKey " + account + ":<sig>'"};
    }
    if (req["x-ms-date"].empty() && req[http::field::date].empty()) {
        return {false, "neither x-ms-date nor Date is present"};
    }
    const std::string to_sign = service_string_to_sign(req, account);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &mac_size);
    const std::string expected = base64(std::string(reinterpret_cast<char*>(mac), mac_size));
    if (header.substr(prefix.size()) != expected) {
        return {false,
                "The MAC signature found in the HTTP request is not the same as any "
                "computed signature. Server used following string to sign: '" +
                    to_sign + "'."};
    }
    return {true, {}};
}

}  // namespace azemu
