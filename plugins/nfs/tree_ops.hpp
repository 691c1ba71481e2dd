// Storage semantics on top of Fs: parents created on demand, writes that readers
// never see half done (temp file + rename), ranged reads, recursive removal.
// Operations that move data keep their progress in a state object so that a retry
// on a fresh connection continues where the failed attempt stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fs.hpp"

namespace nfsplugin {

/// "/" + rel: the ABI's relative store path as a path inside the export.
std::string export_path(std::string_view rel);
std::string parent_of(const std::string& path);

/// mkdir -p. An existing directory is fine; an existing file is ENOTDIR.
void make_dirs(Fs& fs, const std::string& path);

/// Names of files being written: hidden from listings.
bool is_temp_name(std::string_view name);

/// Writes a file under a temporary name next to `path`, then renames it over
/// `path`. Each attempt on a fresh connection resumes at the last written offset
/// (writes are idempotent), so a server restart costs one chunk, not the file.
class AtomicWrite {
  public:
    /// Fills buf with up to `size` bytes at `offset`; returns the count (0 = end).
    using Source = std::function<size_t(uint64_t offset, size_t size, char* buf)>;

    AtomicWrite(std::string path, int mode, uint64_t total, Source source);
    /// One attempt; throws FsError. Call again after a transient failure.
    void run(Fs& fs);
    /// Best effort: removes the temp file after a final failure.
    void abandon(Fs& fs) noexcept;
    uint64_t written() const noexcept { return done_; }

  private:
    std::string path_;
    std::string temp_;
    int mode_;
    uint64_t total_;
    Source source_;
    uint64_t done_ = 0;
    bool created_ = false;
};

/// Streams [offset, offset + length) of `path` to `out` in chunks; a retry
/// continues after the bytes already delivered.
class RangeRead {
  public:
    using Out = std::function<void(std::string_view)>;
    RangeRead(std::string path, uint64_t offset, uint64_t length, Out out);
    void run(Fs& fs);

  private:
    std::string path_;
    uint64_t next_;
    uint64_t left_;
    Out out_;
};

/// JSON array of {"name","type","size","mtime"}, temp files left out.
std::string list_json(Fs& fs, const std::string& path);

/// Removes a file or directory (children too when recursive); absent is fine.
void remove_path(Fs& fs, const std::string& path, bool recursive);

}  // namespace nfsplugin
