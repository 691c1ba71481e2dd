#include "tree_ops.hpp"

#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

namespace nfsplugin {
namespace {

constexpr std::string_view kTempMarker = ".tsh-tmp-";
constexpr size_t kReadChunk = size_t{1} << 20;
constexpr int kDirMode = 0755;

std::string temp_name_for(const std::string& path) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
    const size_t slash = path.rfind('/');
    return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + std::string(kTempMarker) +
           suffix;
}

const char* type_name(tsh_file_type t) {
    return t == TSH_FILE_REGULAR ? "file" : t == TSH_FILE_DIRECTORY ? "dir" : "other";
}

}  // namespace

std::string export_path(std::string_view rel) {
    return "/" + std::string(rel);
}

std::string parent_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

void make_dirs(Fs& fs, const std::string& path) {
    if (path == "/") {
        return;
    }
    try {
        fs.mkdir(path, kDirMode);
        return;
    } catch (const FsError& e) {
        if (e.err() == ENOENT) {
            // The parent is missing: the recursion is bounded by the path's depth.
            make_dirs(fs, parent_of(path));
            try {
                fs.mkdir(path, kDirMode);
            } catch (const FsError& again) {
                if (again.err() != EEXIST)
                    throw;  // EEXIST: a concurrent caller won
            }
        } else if (e.err() != EEXIST) {
            throw;
        }
    }
    if (fs.stat(path).type != TSH_FILE_DIRECTORY) {
        throw FsError(ENOTDIR, false, "mkdir", path, "exists and is not a directory");
    }
}

bool is_temp_name(std::string_view name) {
    return name.find(kTempMarker) != std::string::npos;
}

AtomicWrite::AtomicWrite(std::string path, int mode, uint64_t total, Source source)
    : path_(std::move(path)),
      temp_(temp_name_for(path_)),
      mode_(mode),
      total_(total),
      source_(std::move(source)) {}

void AtomicWrite::run(Fs& fs) {
    std::unique_ptr<File> file;
    if (created_) {
        try {
            // Writes the server acknowledged but lost in a crash (unstable writes)
            // would leave a hole: resume at what the file really holds.
            done_ = std::min(done_, fs.stat(temp_).size);
            file = fs.open_write(temp_);
        } catch (const FsError& e) {
            if (e.err() != ENOENT && e.err() != ESTALE)
                throw;
            done_ = 0;  // the temp file is gone: start over
        }
    }
    if (!file) {
        make_dirs(fs, parent_of(path_));
        file = fs.create_new(temp_, mode_);
        created_ = true;
        done_ = 0;
    }
    std::vector<char> buf(std::min<uint64_t>(fs.write_chunk(), std::max<uint64_t>(total_, 1)));
    // Bounded: each pass advances done_ or ends (short source = file shrank).
    while (done_ < total_) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), total_ - done_));
        const size_t got = source_(done_, want, buf.data());
        if (got == 0) {
            throw FsError(EIO, false, "upload", path_,
                          "the local file became shorter while it was uploaded");
        }
        file->pwrite(done_, std::string_view(buf.data(), got));
        done_ += got;
    }
    file->close();
    fs.rename(temp_, path_);
}

void AtomicWrite::abandon(Fs& fs) noexcept {
    if (!created_) {
        return;
    }
    try {
        fs.unlink(temp_);
    } catch (...) {
        // Best effort: listings hide temp files, and a later write reuses nothing.
    }
}

RangeRead::RangeRead(std::string path, uint64_t offset, uint64_t length, Out out)
    : path_(std::move(path)), next_(offset), left_(length), out_(std::move(out)) {}

void RangeRead::run(Fs& fs) {
    std::unique_ptr<File> file = fs.open_read(path_);
    std::vector<char> buf(kReadChunk);
    // Bounded: each pass delivers bytes or stops at the end of the file.
    while (left_ > 0) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(left_, buf.size()));
        const size_t got = file->pread(next_, want, buf.data());
        if (got == 0) {
            break;
        }
        out_(std::string_view(buf.data(), got));
        next_ += got;
        left_ -= got;
    }
}

std::string list_json(Fs& fs, const std::string& path) {
    auto array = nlohmann::json::array();
    for (const DirEntry& e : fs.list(path)) {
        if (is_temp_name(e.name)) {
            continue;
        }
        array.push_back({{"name", e.name},
                         {"type", type_name(e.attr.type)},
                         {"size", e.attr.size},
                         {"mtime", e.attr.mtime_ms}});
    }
    return array.dump();
}

void remove_path(Fs& fs, const std::string& path, bool recursive) {
    Attr attr;
    try {
        attr = fs.stat(path);
    } catch (const FsError& e) {
        if (e.err() == ENOENT)
            return;
        throw;
    }
    try {
        if (attr.type != TSH_FILE_DIRECTORY) {
            fs.unlink(path);
            return;
        }
        if (recursive) {
            // Recursion depth is the tree's depth, which the store's paths bound.
            for (const DirEntry& e : fs.list(path)) {
                remove_path(fs, path + "/" + e.name, true);
            }
        }
        fs.rmdir(path);
    } catch (const FsError& e) {
        if (e.err() != ENOENT)
            throw;  // removed concurrently: the goal is reached
    }
}

}  // namespace nfsplugin
