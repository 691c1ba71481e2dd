// The file-system operations the storage functions are written against, so the
// same tree logic (parents, atomic writes, recursive remove) serves both the
// libnfs client and an export mounted locally.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <tshost/plugin.h>

namespace nfsplugin {

/// A failed file-system call. `err` is a positive errno; `transient` says a fresh
/// connection may succeed (connection lost, server restarting, timeout).
class FsError : public std::runtime_error {
  public:
    FsError(int err, bool transient, const std::string& op, const std::string& path,
            const std::string& detail)
        : std::runtime_error(op + " '" + path + "': " + detail),
          err_(err),
          transient_(transient),
          op_(op),
          path_(path),
          detail_(detail) {}
    int err() const noexcept { return err_; }
    bool transient() const noexcept { return transient_; }
    const std::string& op() const noexcept { return op_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& detail() const noexcept { return detail_; }

  private:
    int err_;
    bool transient_;
    std::string op_;
    std::string path_;
    std::string detail_;
};

struct Attr {
    tsh_file_type type = TSH_FILE_OTHER;
    uint64_t size = 0;
    int64_t mtime_ms = 0;
};

struct DirEntry {
    std::string name;
    Attr attr;
};

/// An open file. Closed by the destructor when close() was not called.
class File {
  public:
    virtual ~File() = default;
    /// Writes all of `data` at `offset`.
    virtual void pwrite(uint64_t offset, std::string_view data) = 0;
    /// Reads up to `size` bytes at `offset` into buf; 0 at the end of the file.
    virtual size_t pread(uint64_t offset, size_t size, char* buf) = 0;
    /// Closes and reports a failed close (NFS reports delayed write errors here).
    virtual void close() = 0;
};

/// Paths are absolute within the export ("/nni/x"), "/" being its root.
class Fs {
  public:
    virtual ~Fs() = default;
    virtual Attr stat(const std::string& path) = 0;
    /// Creates one directory; EEXIST is reported as an FsError like any other.
    virtual void mkdir(const std::string& path, int mode) = 0;
    /// Creates a new file that must not exist yet, open for writing, with `mode`.
    virtual std::unique_ptr<File> create_new(const std::string& path, int mode) = 0;
    /// Opens an existing file for writing (no truncation).
    virtual std::unique_ptr<File> open_write(const std::string& path) = 0;
    virtual std::unique_ptr<File> open_read(const std::string& path) = 0;
    virtual std::vector<DirEntry> list(const std::string& path) = 0;
    virtual void unlink(const std::string& path) = 0;
    virtual void rmdir(const std::string& path) = 0;
    /// Replaces `to` atomically when it exists.
    virtual void rename(const std::string& from, const std::string& to) = 0;
    /// The largest single write this backend handles well.
    virtual size_t write_chunk() const = 0;
};

}  // namespace nfsplugin
