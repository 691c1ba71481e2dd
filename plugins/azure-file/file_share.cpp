#include "file_share.hpp"

#include "http_date.hpp"
#include "url.hpp"

namespace tshost::azure {
namespace {

constexpr int kMaxListPages = 1000000;  // bounds the marker loop against a misbehaving server

std::string_view parent_of(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

tsh_status status_for(long http) {
    switch (http) {
        case 400:
            return TSH_ERR_INVALID_ARGUMENT;
        case 401:
        case 403:
            return TSH_ERR_PERMISSION;
        case 404:
            return TSH_ERR_NOT_FOUND;
        case 409:
            return TSH_ERR_EXISTS;
        default:
            return http >= 500 || http == 429 ? TSH_ERR_TRANSIENT : TSH_ERR_GENERIC;
    }
}

}  // namespace

FileShare::FileShare(Client& client, std::string account, std::string share, std::string key_hint)
    : client_(client),
      account_(std::move(account)),
      share_(std::move(share)),
      key_hint_(std::move(key_hint)) {}

std::string FileShare::resource(std::string_view path) const {
    return "/" + percent_encode(share_) + (path.empty() ? "" : "/" + encode_path(path));
}

std::string FileShare::url(std::string_view path) const {
    return client_.url(resource(path));
}

Response FileShare::send(Request request) {
    return client_.send(request);
}

void FileShare::fail(const Response& r, std::string_view action, std::string_view path) const {
    const std::string code = r.error_code();
    std::string message = "Azure Files: " + std::string(action) + " '" + share_ + "/" +
                          std::string(path) + "' failed: " + std::to_string(r.status) +
                          (code.empty() ? "" : " " + code);
    const std::string detail = r.error_message();
    if (!detail.empty()) {
        message += " (" + detail + ")";
    }
    if (r.status == 403) {
        message += ". The request was refused: check that the account key from " + key_hint_ +
                   " belongs to storage account '" + account_ +
                   "' (keys rotate) and that this machine's clock is within 15 minutes of UTC";
    } else if (code == "ShareNotFound") {
        message += ". The share '" + share_ + "' no longer exists";
    }
    throw Error(status_for(r.status), message);
}

void FileShare::create_share() {
    const Response r = send({"PUT", "/" + percent_encode(share_), {{"restype", "share"}}, {}, {}});
    if (r.status != 201 && !(r.status == 409 && r.error_code() == "ShareAlreadyExists")) {
        fail(r, "create share", "");
    }
}

void FileShare::make_dir(std::string_view path) {
    for (int round = 0; !path.empty() && round < 2; ++round) {
        const Response r = send({"PUT", resource(path), {{"restype", "directory"}}, {}, {}});
        if (r.status == 201 || (r.status == 409 && r.error_code() == "ResourceAlreadyExists")) {
            return;
        }
        if (round == 0 && r.status == 404 && r.error_code() == "ParentNotFound") {
            make_dir(parent_of(path));  // one level up; recursion depth = path depth
            continue;
        }
        fail(r, "create directory", path);
    }
}

void FileShare::create_file(std::string_view path, uint64_t size) {
    for (int round = 0; round < 2; ++round) {
        const Response r =
            send({"PUT",
                  resource(path),
                  {},
                  {{"x-ms-type", "file"}, {"x-ms-content-length", std::to_string(size)}},
                  {}});
        if (r.status == 201) {
            return;
        }
        if (round == 0 && r.status == 404 && r.error_code() == "ParentNotFound") {
            make_dir(parent_of(path));
            continue;
        }
        fail(r, "create file", path);
    }
}

void FileShare::write_file(std::string_view path, uint64_t size, const ChunkSource& chunk) {
    create_file(path, size);
    for (uint64_t offset = 0; offset < size; offset += kMaxRange) {
        const uint64_t n = std::min(kMaxRange, size - offset);
        const std::string_view data = chunk(offset, n);
        if (data.size() != n) {
            throw Error(TSH_ERR_GENERIC, "the source of '" + std::string(path) +
                                             "' changed size while it was uploaded");
        }
        const std::string range =
            "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + n - 1);
        const Response r = send({"PUT",
                                 resource(path),
                                 {{"comp", "range"}},
                                 {{"x-ms-range", range}, {"x-ms-write", "update"}},
                                 data});
        if (r.status != 201) {
            fail(r, "put range " + range + " of", path);
        }
    }
}

void FileShare::rename(std::string_view from, std::string_view to) {
    const Response r = send(
        {"PUT",
         resource(to),
         {{"comp", "rename"}},
         {{"x-ms-file-rename-source", url(from)}, {"x-ms-file-rename-replace-if-exists", "true"}},
         {}});
    if (r.status != 200) {
        fail(r, "rename '" + share_ + "/" + std::string(from) + "' to", to);
    }
}

void FileShare::read(std::string_view path, uint64_t offset, uint64_t length, const Sink& out) {
    if (length == 0) {
        stat(path);  // still reports a missing file
        return;
    }
    Request request{"GET", resource(path), {}, {}, {}, &out};
    if (offset != 0 || length != UINT64_MAX) {
        const bool to_end = length > UINT64_MAX - offset;
        request.headers.emplace_back("x-ms-range", "bytes=" + std::to_string(offset) + "-" +
                                                       (to_end || length == UINT64_MAX
                                                            ? std::string()
                                                            : std::to_string(offset + length - 1)));
    }
    const Response r = send(std::move(request));
    if (r.status == 416) {
        return;  // the file exists and ends before `offset`
    }
    if (r.status != 200 && r.status != 206) {
        fail(r, "read", path);
    }
}

FileInfo FileShare::stat(std::string_view path) {
    if (path.empty()) {
        return {TSH_FILE_DIRECTORY, 0, 0};
    }
    const Response file = send({"HEAD", resource(path), {}, {}, {}});
    if (file.status == 200) {
        return {TSH_FILE_REGULAR, std::stoull("0" + file.header("content-length")),
                parse_http_date_ms(file.header("last-modified"))};
    }
    if (file.status != 404) {
        fail(file, "get properties of", path);
    }
    const Response dir = send({"HEAD", resource(path), {{"restype", "directory"}}, {}, {}});
    if (dir.status == 200) {
        return {TSH_FILE_DIRECTORY, 0, parse_http_date_ms(dir.header("last-modified"))};
    }
    fail(dir, "get properties of", path);
}

std::vector<ListEntry> FileShare::list(std::string_view path) {
    std::vector<ListEntry> entries;
    std::string marker;
    for (int page = 0; page < kMaxListPages; ++page) {
        Request request{"GET",
                        resource(path),
                        {{"restype", "directory"}, {"comp", "list"}, {"include", "Timestamps"}},
                        {{"x-ms-file-extended-info", "true"}},
                        {}};
        if (!marker.empty()) {
            request.query.emplace_back("marker", marker);
        }
        const Response r = send(std::move(request));
        if (r.status != 200) {
            fail(r, "list", path);
        }
        ListPage parsed = parse_list_page(r.body);
        for (auto& entry : parsed.entries) {
            entries.push_back(std::move(entry));
        }
        if (parsed.next_marker.empty()) {
            return entries;
        }
        marker = std::move(parsed.next_marker);
    }
    throw Error(TSH_ERR_GENERIC, "Azure Files: listing '" + std::string(path) +
                                     "' did not end after " + std::to_string(kMaxListPages) +
                                     " pages");
}

bool FileShare::delete_file(std::string_view path) {
    const Response r = send({"DELETE", resource(path), {}, {}, {}});
    if (r.status == 202) {
        return true;
    }
    if (r.status == 404) {
        return false;
    }
    fail(r, "delete file", path);
}

void FileShare::remove(std::string_view path, bool recursive) {
    if (path.empty() && !recursive) {
        throw Error(TSH_ERR_INVALID_ARGUMENT, "the share root can only be emptied recursively");
    }
    if (!path.empty() && delete_file(path)) {
        return;
    }
    for (int round = 0; round < 2; ++round) {
        if (round == 1 || path.empty()) {
            // Bottom-up: children first, then the (now empty) directory itself.
            for (const ListEntry& entry : list(path)) {
                const std::string child =
                    path.empty() ? entry.name : std::string(path) + "/" + entry.name;
                if (entry.directory) {
                    remove(child, true);
                } else {
                    delete_file(child);
                }
            }
            if (path.empty()) {
                return;  // the share root itself stays
            }
        }
        const Response r = send({"DELETE", resource(path), {{"restype", "directory"}}, {}, {}});
        if (r.status == 202 || (r.status == 404 && round == 0)) {
            return;  // gone, or there was nothing of that name
        }
        if (!(recursive && round == 0 && r.status == 409 &&
              r.error_code() == "DirectoryNotEmpty")) {
            fail(r, "delete directory", path);
        }
    }
}

}  // namespace tshost::azure
