// The Azure Files REST operations the plugin uses, on one share: Create Share,
// Create Directory, Create File + Put Range, Rename File, Get File (ranges), Get
// File/Directory Properties, List Directories and Files (paged), Delete File and
// Delete Directory. Status codes and Azure error codes become tshost::Error.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tshost/plugin.hpp>
#include <vector>

#include "http_client.hpp"
#include "xml.hpp"

namespace tshost::azure {

/// Largest Put Range the service accepts.
inline constexpr uint64_t kMaxRange = 4 * 1024 * 1024;

class FileShare {
  public:
    /// `key_hint` names where the key came from, for the message of a 403.
    FileShare(Client& client, std::string account, std::string share, std::string key_hint);

    /// Creates the share; an existing share is fine.
    void create_share();
    /// Creates `path` and any missing parents; an existing directory is fine.
    void make_dir(std::string_view path);
    /// Fills the bytes [offset, offset + size) of the file being written.
    using ChunkSource = std::function<std::string_view(uint64_t offset, uint64_t size)>;
    /// Creates or replaces file `path` of `size` bytes, creating parent directories.
    void write_file(std::string_view path, uint64_t size, const ChunkSource& chunk);
    /// Renames `from` to `to`, replacing `to` (Rename File, x-ms-version 2021-04-10+).
    void rename(std::string_view from, std::string_view to);
    void read(std::string_view path, uint64_t offset, uint64_t length, const Sink& out);
    FileInfo stat(std::string_view path);
    std::vector<ListEntry> list(std::string_view path);
    void remove(std::string_view path, bool recursive);
    /// The service URL of `path` (no credentials in it).
    std::string url(std::string_view path) const;

  private:
    std::string resource(std::string_view path) const;  // "/<share>/<encoded path>"
    Response send(Request request);
    [[noreturn]] void fail(const Response& r, std::string_view action, std::string_view path) const;
    void create_file(std::string_view path, uint64_t size);
    /// true when it existed and is gone; false when there was no such file.
    bool delete_file(std::string_view path);

    Client& client_;
    std::string account_;
    std::string share_;
    std::string key_hint_;
};

}  // namespace tshost::azure
