#include "portal/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tshost::portal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNotBuilt = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>tshost portal</title></head>
<body><h1>The tshost portal was not built</h1>
<p>The API works (try <a href="/api/v1/tshost/overview">/api/v1/tshost/overview</a>), but there
is no web front end in the web directory. Build it with <code>npm ci &amp;&amp; npm run build</code>
in <code>host/web</code> (the build puts it in <code>&lt;build&gt;/share/tshost/web</code>), or
point <code>--web-dir</code> at a built front end.</p></body></html>
)";

std::string content_type(const fs::path& path) {
    const auto ext = path.extension().string();
    if (ext == ".html")
        return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs")
        return "text/javascript; charset=utf-8";
    if (ext == ".css")
        return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map")
        return "application/json";
    if (ext == ".svg")
        return "image/svg+xml";
    if (ext == ".png")
        return "image/png";
    if (ext == ".ico")
        return "image/x-icon";
    if (ext == ".woff2")
        return "font/woff2";
    if (ext == ".txt")
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

// Vite names built assets "<name>-<8+ character hash>.<ext>": their content never changes.
bool hashed_name(const fs::path& path) {
    const auto stem = path.stem().string();
    const auto dash = stem.rfind('-');
    return dash != std::string::npos && stem.size() - dash - 1 >= 8;
}

}  // namespace

http::Response static_file(const std::string& web_dir, const std::string& relative) {
    const bool index = relative.empty();
    if (relative.find("..") != std::string::npos || relative.find('\0') != std::string::npos) {
        return http::Response::error(400, "bad path");
    }
    const fs::path path = fs::path(web_dir) / (index ? "index.html" : relative);
    std::ifstream in(path, std::ios::binary);
    if (web_dir.empty() || !in) {
        if (index) {
            http::Response page;
            page.content_type = "text/html; charset=utf-8";
            page.body = kNotBuilt;
            return page;
        }
        return http::Response::error(404, "no such file: /" + relative);
    }
    std::ostringstream text;
    text << in.rdbuf();
    http::Response response;
    response.content_type = content_type(path);
    response.body = text.str();
    response.headers.emplace_back("Cache-Control", !index && hashed_name(path)
                                                       ? "public, max-age=31536000, immutable"
                                                       : "no-cache");
    return response;
}

}  // namespace tshost::portal
