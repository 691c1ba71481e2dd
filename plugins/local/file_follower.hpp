// Reads a growing file incrementally: each call returns only bytes not returned
// before, so a long-running trial's output is read once, never re-read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace local_platform {

class FileFollower {
  public:
    explicit FileFollower(std::filesystem::path path) : path_(std::move(path)) {}

    /// The file's current size (0 while it does not exist).
    uint64_t size() const;
    /// Up to `max_bytes` bytes from offset() on, advancing offset(); empty when
    /// there is nothing new (or the file does not exist yet).
    std::string read_new(uint64_t max_bytes);
    uint64_t offset() const { return offset_; }

  private:
    std::filesystem::path path_;
    uint64_t offset_ = 0;
};

}  // namespace local_platform
