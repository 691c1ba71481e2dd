#include "storage/code_tree.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "storage/nniignore.hpp"

namespace tshost::storage {
namespace {

namespace fs = std::filesystem;

// Deeper trees are not trial code; the bound also limits the recursion.
constexpr int kMaxDepth = 64;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void walk(const fs::path& root, const std::string& rel_dir, IgnoreRules rules, int depth,
          std::vector<CodeFile>& out) {
    if (depth > kMaxDepth) {
        throw std::runtime_error("code directory " + root.string() + " is nested deeper than " +
                                 std::to_string(kMaxDepth) + " levels at " + rel_dir);
    }
    const fs::path dir = rel_dir.empty() ? root : root / rel_dir;
    // Rules are copied per level: a folder's .nniignore applies inside it only.
    if (const fs::path ignore = dir / ".nniignore"; fs::is_regular_file(ignore)) {
        rules.add(read_text(ignore));
    }
    std::vector<fs::directory_entry> entries;
    for (const auto& entry : fs::directory_iterator(dir)) {
        entries.push_back(entry);
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& entry : entries) {
        const std::string name = entry.path().filename().string();
        const std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
        const bool is_dir = entry.is_directory() && !entry.is_symlink();
        if (rules.ignored(rel, is_dir)) {
            continue;
        }
        if (is_dir) {
            walk(root, rel, rules, depth + 1, out);
        } else if (entry.is_regular_file()) {  // follows a symlink to a file
            const fs::perms perms = entry.status().permissions();
            const bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
            out.push_back(CodeFile{rel, entry.path(), exec ? 0755u : 0644u,
                                   static_cast<uint64_t>(entry.file_size())});
        }
    }
}

}  // namespace

std::vector<CodeFile> list_code_files(const std::filesystem::path& root) {
    if (!fs::is_directory(root)) {
        throw std::runtime_error("trial code directory " + root.string() + " is not a directory");
    }
    std::vector<CodeFile> files;
    try {
        walk(root, "", IgnoreRules{}, 0, files);
    } catch (const fs::filesystem_error& e) {
        throw std::runtime_error("cannot read the code directory: " + std::string(e.what()));
    }
    std::sort(files.begin(), files.end(),
              [](const CodeFile& a, const CodeFile& b) { return a.rel_path < b.rel_path; });
    return files;
}

}  // namespace tshost::storage
