// The files of a trial code directory that go to the store, .nniignore honoured.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tshost::storage {

struct CodeFile {
    std::string rel_path;          // '/'-separated, relative to the code directory
    std::filesystem::path source;  // the local file
    uint32_t mode = 0644;          // 0755 when the owner may execute it
    uint64_t size = 0;
};

/// Regular files under `root` (symlinks to files are followed; symlinked folders
/// are not entered, so a link loop cannot make the walk endless), sorted by path.
/// Throws std::runtime_error naming the file when the tree cannot be read.
std::vector<CodeFile> list_code_files(const std::filesystem::path& root);

}  // namespace tshost::storage
