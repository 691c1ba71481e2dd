// Routes requests by method and path pattern to functions. Patterns are '/'-separated
// literal segments, ":name" (one segment, percent-decoded) and a final "*" (the rest of the
// path, at least one segment). A path that matches no pattern is 404; one that matches only
// with another method is 405 with Allow.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace tshost::http {

class Router {
  public:
    /// The captured ":name" and "*" segments, in pattern order.
    using Params = std::vector<std::string>;
    using Route = std::function<Response(const Request&, const Params&)>;

    void add(std::string method, std::string_view pattern, Route route);
    Response dispatch(const Request& request) const;

  private:
    struct Entry {
        std::string method;
        std::vector<std::string> segments;
        Route route;
    };
    std::vector<Entry> entries_;
};

/// "/a/b/" -> {"a", "b"}; empty segments are dropped.
std::vector<std::string> split_path(std::string_view path);

}  // namespace tshost::http
