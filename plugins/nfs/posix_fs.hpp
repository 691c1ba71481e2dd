// The export mounted locally (config localMountPath): plain POSIX calls under a
// root directory. Stateless and thread-safe, so one instance serves all callers.
#pragma once

#include "fs.hpp"

namespace nfsplugin {

class PosixFs final : public Fs {
  public:
    explicit PosixFs(std::string root) : root_(std::move(root)) {}

    Attr stat(const std::string& path) override;
    void mkdir(const std::string& path, int mode) override;
    std::unique_ptr<File> create_new(const std::string& path, int mode) override;
    std::unique_ptr<File> open_write(const std::string& path) override;
    std::unique_ptr<File> open_read(const std::string& path) override;
    std::vector<DirEntry> list(const std::string& path) override;
    void unlink(const std::string& path) override;
    void rmdir(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    size_t write_chunk() const override { return size_t{1} << 20; }

  private:
    std::string full(const std::string& path) const { return root_ + path; }
    std::unique_ptr<File> open(const std::string& path, int flags, int mode);

    std::string root_;
};

}  // namespace nfsplugin
