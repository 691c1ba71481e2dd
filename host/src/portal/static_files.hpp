// The built front end: GET / (index.html) and /assets/... from the web directory, or a page
// saying how to build the portal when there is none.
#pragma once

#include <string>

#include "http/server.hpp"

namespace tshost::portal {

/// `relative`: "" for index.html, else the path under the web directory (no "..").
http::Response static_file(const std::string& web_dir, const std::string& relative);

}  // namespace tshost::portal
