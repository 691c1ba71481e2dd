#include "file_service.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <vector>

#include "auth.hpp"

namespace azemu {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxRange = 4 * 1024 * 1024;

std::string http_date(fs::file_time_type when) {
    const auto sys = std::chrono::file_clock::to_sys(when);
    const std::time_t t = std::chrono::system_clock::to_time_t(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// "/<account>/<share>/<a>/<b>" as decoded segments; std::nullopt for empty, "."
// or ".." segments, which a real share would never map to a parent directory.
std::optional<std::vector<std::string>> split_path(std::string_view raw) {
    std::vector<std::string> out;
    if (raw.empty() || raw[0] != '/') {
        return std::nullopt;
    }
    raw.remove_prefix(1);
    while (!raw.empty()) {
        const size_t slash = raw.find('/');
        std::string segment = url_decode(raw.substr(0, slash));
        if (segment.empty() || segment == "." || segment == ".." ||
            segment.find_first_of(std::string("/\0", 2)) != std::string::npos) {
            return std::nullopt;
        }
        out.push_back(std::move(segment));
        raw = slash == std::string_view::npos ? std::string_view() : raw.substr(slash + 1);
    }
    return out;
}

struct ByteRange {
    uint64_t first = 0;
    std::optional<uint64_t> last;
};

std::optional<ByteRange> parse_range(std::string_view header) {
    if (!header.starts_with("bytes=")) {
        return std::nullopt;
    }
    header.remove_prefix(6);
    const size_t dash = header.find('-');
    if (dash == std::string_view::npos || dash == 0) {
        return std::nullopt;
    }
    ByteRange r;
    r.first = std::stoull(std::string(header.substr(0, dash)));
    if (dash + 1 < header.size()) {
        r.last = std::stoull(std::string(header.substr(dash + 1)));
        if (*r.last < r.first) {
            return std::nullopt;
        }
    }
    return r;
}

std::string range_header(const HttpRequest& req) {
    const auto ms = req["x-ms-range"];
    return std::string(!ms.empty() ? ms : req[http::field::range]);
}

class Operation {
  public:
    Operation(const ServiceOptions& o, const HttpRequest& req, const Target& t,
              std::vector<std::string> segments)
        : o_(o), req_(req), t_(t), share_(segments[1]), share_dir_(o.root / share_) {
        path_ = share_dir_;
        for (size_t i = 2; i < segments.size(); ++i) {
            path_ /= segments[i];
            rel_ += (rel_.empty() ? "" : "/") + segments[i];
        }
    }

    HttpResponse run() {
        const auto restype = t_.param("restype");
        const auto comp = t_.param("comp");
        const http::verb m = req_.method();
        if (restype == "share") {
            return m == http::verb::put && rel_.empty() ? create_share() : bad("InvalidUri");
        }
        if (!fs::is_directory(share_dir_)) {
            return error(http::status::not_found, "ShareNotFound",
                         "The specified share does not exist.");
        }
        if (restype == "directory") {
            if (comp == "list" && m == http::verb::get)
                return list();
            if (comp)
                return bad("InvalidQueryParameterValue");
            if (m == http::verb::put)
                return create_directory();
            if (m == http::verb::delete_)
                return delete_directory();
            if (m == http::verb::get || m == http::verb::head)
                return directory_properties();
            return bad("UnsupportedHttpVerb");
        }
        if (restype)
            return bad("InvalidQueryParameterValue");
        if (comp == "range" && m == http::verb::put)
            return put_range();
        if (comp == "rename" && m == http::verb::put)
            return rename();
        if (comp)
            return bad("InvalidQueryParameterValue");
        if (rel_.empty())
            return bad("InvalidUri");
        if (m == http::verb::put)
            return create_file();
        if (m == http::verb::get || m == http::verb::head)
            return get_file();
        if (m == http::verb::delete_)
            return delete_file();
        return bad("UnsupportedHttpVerb");
    }

  private:
    HttpResponse error(http::status s, const std::string& code, const std::string& message) {
        return azure_error(req_, s, code, message);
    }
    HttpResponse bad(const std::string& code) {
        return error(http::status::bad_request, code, "The request is not supported here.");
    }
    HttpResponse ok(http::status s) {
        HttpResponse res = azure_ok(req_, s);
        res.prepare_payload();
        return res;
    }
    HttpResponse not_found() {
        return error(http::status::not_found, "ResourceNotFound",
                     "The specified resource does not exist.");
    }
    HttpResponse parent_not_found() {
        return error(http::status::not_found, "ParentNotFound",
                     "The specified parent path does not exist.");
    }

    HttpResponse create_share() {
        if (fs::is_directory(share_dir_)) {
            return error(http::status::conflict, "ShareAlreadyExists",
                         "The specified share already exists.");
        }
        fs::create_directories(share_dir_);
        return ok(http::status::created);
    }

    HttpResponse create_directory() {
        if (rel_.empty() || fs::is_directory(path_)) {
            return error(http::status::conflict, "ResourceAlreadyExists",
                         "The specified resource already exists.");
        }
        if (fs::exists(path_)) {
            return error(http::status::conflict, "ResourceTypeMismatch",
                         "The specified resource type does not match the type of the resource.");
        }
        if (!fs::is_directory(path_.parent_path())) {
            return parent_not_found();
        }
        fs::create_directory(path_);
        return ok(http::status::created);
    }

    HttpResponse delete_directory() {
        if (rel_.empty()) {
            return bad("InvalidUri");
        }
        if (!fs::is_directory(path_)) {
            return not_found();
        }
        if (!fs::is_empty(path_)) {
            return error(http::status::conflict, "DirectoryNotEmpty",
                         "The specified directory is not empty.");
        }
        fs::remove(path_);
        return ok(http::status::accepted);
    }

    HttpResponse directory_properties() {
        if (!fs::is_directory(path_)) {
            return not_found();
        }
        HttpResponse res = ok(http::status::ok);
        res.set(http::field::last_modified, http_date(fs::last_write_time(path_)));
        return res;
    }

    HttpResponse list() {
        if (!fs::is_directory(path_)) {
            return not_found();
        }
        std::vector<fs::directory_entry> entries(fs::directory_iterator(path_), {});
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            return a.path().filename() < b.path().filename();
        });
        const std::string marker = t_.param("marker").value_or("");
        size_t limit = o_.page_size;
        if (const auto max = t_.param("maxresults")) {
            limit = std::min(limit, static_cast<size_t>(std::stoul(*max)));
        }
        const bool timestamps =
            t_.param("include").value_or("").find("Timestamps") != std::string::npos;
        std::string xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults "
            "ServiceEndpoint=\"http://127.0.0.1/" +
            xml_escape(o_.account) + "\" ShareName=\"" + xml_escape(share_) +
            "\" DirectoryPath=\"" + xml_escape(rel_) + "\"><Marker>" + xml_escape(marker) +
            "</Marker><Entries>";
        size_t emitted = 0;
        std::string next_marker;
        for (const auto& entry : entries) {
            const std::string name = entry.path().filename().string();
            if (!marker.empty() && name < marker) {
                continue;
            }
            if (emitted == limit) {
                next_marker = name;
                break;
            }
            ++emitted;
            const bool dir = entry.is_directory();
            const std::string tag = dir ? "Directory" : "File";
            xml += "<" + tag + "><Name>" + xml_escape(name) + "</Name><Properties>";
            if (!dir) {
                xml += "<Content-Length>" + std::to_string(entry.file_size()) + "</Content-Length>";
            }
            if (timestamps) {
                xml += "<LastModified>" + http_date(entry.last_write_time()) + "</LastModified>";
            }
            xml += "</Properties></" + tag + ">";
        }
        xml += "</Entries>" +
               (next_marker.empty() ? std::string("<NextMarker />")
                                    : "<NextMarker>" + xml_escape(next_marker) + "</NextMarker>") +
               "</EnumerationResults>";
        HttpResponse res = azure_ok(req_, http::status::ok);
        res.set(http::field::content_type, "application/xml");
        res.body() = std::move(xml);
        res.prepare_payload();
        return res;
    }

    HttpResponse create_file() {
        if (req_["x-ms-type"] != "file") {
            return error(http::status::bad_request, "MissingRequiredHeader",
                         "x-ms-type: file is required.");
        }
        const std::string length(req_["x-ms-content-length"]);
        if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos) {
            return error(http::status::bad_request, "MissingRequiredHeader",
                         "x-ms-content-length is required.");
        }
        if (fs::is_directory(path_)) {
            return error(http::status::conflict, "ResourceTypeMismatch",
                         "The specified resource type does not match the type of the resource.");
        }
        if (!fs::is_directory(path_.parent_path())) {
            return parent_not_found();
        }
        std::ofstream(path_, std::ios::binary | std::ios::trunc).close();
        fs::resize_file(path_, std::stoull(length));
        return ok(http::status::created);
    }

    HttpResponse put_range() {
        if (!fs::is_regular_file(path_)) {
            return not_found();
        }
        if (req_["x-ms-write"] != "update") {
            return error(http::status::bad_request, "InvalidHeaderValue",
                         "Only x-ms-write: update is supported here.");
        }
        const auto range = parse_range(range_header(req_));
        const std::string& body = req_.body();
        if (!range || !range->last || *range->last - range->first + 1 != body.size()) {
            return error(http::status::bad_request, "InvalidRange",
                         "The range does not match the body.");
        }
        if (body.size() > kMaxRange) {
            return error(http::status::payload_too_large, "RequestBodyTooLarge",
                         "The request body is too large.");
        }
        if (*range->last >= fs::file_size(path_)) {
            return error(http::status::range_not_satisfiable, "InvalidRange",
                         "The range specified is invalid for the current size of the resource.");
        }
        std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(range->first));
        f.write(body.data(), static_cast<std::streamsize>(body.size()));
        return ok(http::status::created);
    }

    HttpResponse rename() {
        const std::string source(req_["x-ms-file-rename-source"]);
        const size_t scheme = source.find("://");
        const size_t path_start =
            scheme == std::string::npos ? std::string::npos : source.find('/', scheme + 3);
        const auto segments = path_start == std::string::npos
                                  ? std::nullopt
                                  : split_path(parse_target(source.substr(path_start)).raw_path);
        if (!segments || segments->size() < 3 || (*segments)[0] != o_.account ||
            (*segments)[1] != share_) {
            return error(http::status::bad_request, "InvalidHeaderValue",
                         "x-ms-file-rename-source must be a URL of a file in this share.");
        }
        fs::path from = share_dir_;
        for (size_t i = 2; i < segments->size(); ++i) {
            from /= (*segments)[i];
        }
        if (!fs::exists(from)) {
            return not_found();
        }
        if (rel_.empty() || !fs::is_directory(path_.parent_path())) {
            return parent_not_found();
        }
        if (fs::exists(path_)) {
            if (req_["x-ms-file-rename-replace-if-exists"] != "true") {
                return error(http::status::conflict, "ResourceAlreadyExists",
                             "The specified resource already exists.");
            }
            if (fs::is_directory(path_)) {
                return error(http::status::conflict, "ResourceTypeMismatch",
                             "The destination is a directory.");
            }
        }
        fs::rename(from, path_);
        return ok(http::status::ok);
    }

    HttpResponse get_file() {
        if (!fs::is_regular_file(path_)) {
            return not_found();
        }
        const uint64_t size = fs::file_size(path_);
        const std::string range_text = range_header(req_);
        uint64_t first = 0;
        uint64_t last = size == 0 ? 0 : size - 1;
        http::status status = http::status::ok;
        if (!range_text.empty()) {
            const auto range = parse_range(range_text);
            if (!range || range->first >= size) {
                HttpResponse res = error(http::status::range_not_satisfiable, "InvalidRange",
                                         "The range specified is invalid for the current size "
                                         "of the resource.");
                res.set(http::field::content_range, "bytes */" + std::to_string(size));
                return res;
            }
            first = range->first;
            last = std::min(range->last.value_or(size - 1), size - 1);
            status = http::status::partial_content;
        }
        const uint64_t count = size == 0 ? 0 : last - first + 1;
        HttpResponse res = azure_ok(req_, status);
        res.set("x-ms-type", "File");
        res.set(http::field::content_type, "application/octet-stream");
        res.set(http::field::last_modified, http_date(fs::last_write_time(path_)));
        if (status == http::status::partial_content) {
            res.set(http::field::content_range, "bytes " + std::to_string(first) + "-" +
                                                    std::to_string(last) + "/" +
                                                    std::to_string(size));
        }
        if (req_.method() == http::verb::get) {
            std::ifstream in(path_, std::ios::binary);
            in.seekg(static_cast<std::streamoff>(first));
            res.body().resize(count);
            in.read(res.body().data(), static_cast<std::streamsize>(count));
        }
        res.content_length(count);
        return res;
    }

    HttpResponse delete_file() {
        if (!fs::is_regular_file(path_)) {
            return not_found();
        }
        fs::remove(path_);
        return ok(http::status::accepted);
    }

    const ServiceOptions& o_;
    const HttpRequest& req_;
    const Target& t_;
    std::string share_;
    fs::path share_dir_;
    fs::path path_;
    std::string rel_;
};

}  // namespace

FileService::FileService(ServiceOptions options) : options_(std::move(options)) {
    fs::create_directories(options_.root);
}

std::optional<HttpResponse> FileService::handle(const HttpRequest& req) {
    std::lock_guard lock(mutex_);
    if (auto control = handle_control(faults_, req)) {
        return control;
    }
    ++faults_.requests;
    if (auto fault = take_fault(faults_, req)) {
        if (fault->drop) {
            return std::nullopt;
        }
        return std::move(fault->response);
    }
    const AuthResult auth = verify_shared_key(req, options_.account, options_.key);
    if (!auth.ok) {
        ++faults_.auth_failures;
        return azure_error(req, http::status::forbidden, "AuthenticationFailed",
                           "Server failed to authenticate the request. Make sure the value of "
                           "Authorization header is formed correctly including the signature.\n" +
                               auth.reason);
    }
    if (req["x-ms-version"].empty()) {
        return azure_error(req, http::status::bad_request, "MissingRequiredHeader",
                           "x-ms-version is required.");
    }
    try {
        return dispatch(req);
    } catch (const std::exception& e) {
        return azure_error(req, http::status::internal_server_error, "InternalError", e.what());
    }
}

HttpResponse FileService::dispatch(const HttpRequest& req) {
    const Target target = parse_target(sv(req.target()));
    const auto segments = split_path(target.raw_path);
    if (!segments || segments->size() < 2 || (*segments)[0] != options_.account) {
        return azure_error(req, http::status::bad_request, "InvalidUri",
                           "Expected /" + options_.account + "/<share>/<path>.");
    }
    return Operation(options_, req, target, *segments).run();
}

}  // namespace azemu
