#include "http/router.hpp"

namespace tshost::http {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start) {
            out.emplace_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}

void Router::add(std::string method, std::string_view pattern, Route route) {
    entries_.push_back({std::move(method), split_path(pattern), std::move(route)});
}

namespace {

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           Router::Params& params) {
    params.clear();
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == "*") {
            if (i + 1 != pattern.size() || i >= path.size()) {
                return false;
            }
            std::string rest;
            for (size_t j = i; j < path.size(); ++j) {
                rest += (j == i ? "" : "/") + percent_decode(path[j]);
            }
            params.push_back(std::move(rest));
            return true;
        }
        if (i >= path.size()) {
            return false;
        }
        if (pattern[i].starts_with(':')) {
            params.push_back(percent_decode(path[i]));
        } else if (pattern[i] != path[i]) {
            return false;
        }
    }
    return pattern.size() == path.size();
}

}  // namespace

Response Router::dispatch(const Request& request) const {
    const auto path = split_path(request.path);
    Params params;
    std::string allow;
    for (const auto& entry : entries_) {
        if (!match(entry.segments, path, params)) {
            continue;
        }
        if (entry.method == request.method || (entry.method == "GET" && request.method == "HEAD")) {
            return entry.route(request, params);
        }
        allow += (allow.empty() ? "" : ", ") + entry.method;
    }
    if (!allow.empty()) {
        auto response = Response::error(
            405, request.method + " is not allowed on " + request.path + "; use " + allow);
        response.headers.emplace_back("Allow", allow);
        return response;
    }
    return Response::error(404, "no such route: " + request.path);
}

}  // namespace tshost::http
