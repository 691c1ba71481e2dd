#include "storage/code_sync.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/code_manifest.hpp"
#include "storage/code_tree.hpp"
#include "storage/sha256.hpp"

namespace tshost::storage {
namespace {

// Runs fn(i) for i in [0, n) on `threads` threads; the first exception stops the
// others from taking new items and is rethrown here.
template <class Fn>
void parallel_for(size_t n, int threads, Fn&& fn) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (size_t i = next++; i < n && !failed; i = next++) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!failed.exchange(true))
                    error = std::current_exception();
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        const size_t count =
            std::clamp<size_t>(static_cast<size_t>(threads), 1, std::max<size_t>(n, 1));
        for (size_t t = 1; t < count; ++t)
            pool.emplace_back(worker);
        worker();
    }  // joins
    if (error)
        std::rethrow_exception(error);
}

}  // namespace

SyncResult sync_code(plugin::StorageInstance& storage, const std::filesystem::path& code_dir,
                     const std::string& experiment_id, const SyncOptions& options) {
    const std::vector<CodeFile> files = list_code_files(code_dir);
    std::vector<ManifestEntry> entries(files.size());
    parallel_for(files.size(), options.parallelism, [&](size_t i) {
        entries[i] = ManifestEntry{sha256_file(files[i].source), files[i].mode, files[i].size,
                                   files[i].rel_path};
    });
    const std::string manifest = format_manifest(entries);  // fail early on bad names

    // One upload per distinct content, from the first file that has it.
    std::map<std::string, size_t> first_with;
    for (size_t i = 0; i < entries.size(); ++i)
        first_with.emplace(entries[i].sha256, i);
    std::vector<size_t> blobs;
    for (const auto& [sha, index] : first_with)
        blobs.push_back(index);

    SyncResult result;
    result.files = files.size();
    for (const CodeFile& f : files)
        result.total_bytes += f.size;
    std::atomic<uint64_t> uploaded{0}, present{0}, sent{0};
    parallel_for(blobs.size(), options.parallelism, [&](size_t b) {
        const size_t i = blobs[b];
        const std::string path = cas_path(entries[i].sha256);
        const auto info = storage.stat(path);
        if (info && info->type == TSH_FILE_REGULAR && info->size == entries[i].size) {
            ++present;
            return;
        }
        // Blobs are content, not programs: the manifest carries the mode.
        storage.upload_file(files[i].source.string(), path);
        ++uploaded;
        sent += entries[i].size;
    });

    result.manifest_path = manifest_path(experiment_id);
    storage.write_file(result.manifest_path, manifest);
    result.blobs_uploaded = uploaded;
    result.blobs_present = present;
    result.bytes_sent = sent + manifest.size();
    return result;
}

}  // namespace tshost::storage
