// nfs_bench: figures for the NFS storage plugin against a local nfs-ganesha.
//  1. one large file: plugin upload_file vs `nfs-cp` (libnfs-utils), same file;
//  2. small files: plugin write_file (temp + rename) vs raw libnfs create/write/close;
//  3. an experiment of 100 trials whose code dir holds 2,000 files / 50 MB: bytes
//     handed to the store vs NNI (one nni-code copy + one code copy per trial).
#include <fcntl.h>
#include <nfsc/libnfs.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nfs_server.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"
#include "storage/code_script.hpp"
#include "storage/code_sync.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double mb(uint64_t bytes) {
    return static_cast<double>(bytes) / 1e6;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string random_bytes(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (size_t i = 0; i + 8 <= n; i += 8) {
        const uint64_t v = rng();
        std::memcpy(&s[i], &v, 8);
    }
    return s;
}

void write_local(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

uint64_t bytes_under(const fs::path& dir) {
    uint64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file())
            total += e.file_size();
    }
    return total;
}

std::unique_ptr<tshost::plugin::StorageInstance> open(const tshost::test::NfsServer& server) {
    auto loaded = tshost::plugin::load_plugin(TSHOST_NFS_PLUGIN);
    if (!loaded.plugin)
        throw std::runtime_error(loaded.refusal->message());
    return std::make_unique<tshost::plugin::StorageInstance>(*loaded.plugin, server.plugin_config(),
                                                             tshost::plugin::InstanceOptions{});
}

std::string url(const tshost::test::NfsServer& server, const std::string& file) {
    return "nfs://127.0.0.1/export/" + file + "?nfsport=" + std::to_string(server.nfs_port()) +
           "&mountport=" + std::to_string(server.mount_port());
}

void large_files(tshost::plugin::StorageInstance& s, const tshost::test::NfsServer& server,
                 const fs::path& tmp) {
    constexpr size_t kSize = size_t{200} << 20;
    const fs::path src = tmp / "large.bin";
    write_local(src, random_bytes(kSize, 1));
    double best_plugin = 0, best_cp = 0;
    for (int round = 0; round < 3; ++round) {
        auto start = Clock::now();
        s.upload_file(src.string(), "bench/large-plugin.bin");
        best_plugin = std::max(best_plugin, mb(kSize) / seconds_since(start));
        start = Clock::now();
        // nfs-cp refuses to overwrite: a new name per round.
        const std::string cmd = "nfs-cp " + src.string() + " '" +
                                url(server, "bench/large-cp" + std::to_string(round) + ".bin") +
                                "' >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("nfs-cp failed");
        best_cp = std::max(best_cp, mb(kSize) / seconds_since(start));
    }
    std::printf(
        "large file (200 MB, best of 3): plugin %.0f MB/s, nfs-cp %.0f MB/s, ratio %.2f "
        "(target >= 150 MB/s)\n",
        best_plugin, best_cp, best_plugin / best_cp);
}

void small_files(tshost::plugin::StorageInstance& s, const tshost::test::NfsServer& server) {
    constexpr int kFiles = 1000;
    const std::string body = random_bytes(4096, 2);
    s.make_dir("bench/small-plugin");
    auto start = Clock::now();
    for (int i = 0; i < kFiles; ++i) {
        s.write_file("bench/small-plugin/f" + std::to_string(i), body);
    }
    const double plugin_rate = kFiles / seconds_since(start);

    // The same through 4 concurrent callers (the code sync's parallelism): the
    // plugin's connection pool lets NFS round trips overlap.
    constexpr int kThreads = 4;
    s.make_dir("bench/small-parallel");
    start = Clock::now();
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&s, &body, t] {
                for (int i = t; i < kFiles; i += kThreads) {
                    s.write_file("bench/small-parallel/f" + std::to_string(i), body);
                }
            });
        }
    }
    const double parallel_rate = kFiles / seconds_since(start);

    // Baseline: the same files with raw libnfs calls on one context (no temp +
    // rename, no pool): the floor of what one client connection can do.
    nfs_context* ctx = nfs_init_context();
    nfs_url* u = nfs_parse_url_dir(ctx, url(server, "bench").c_str());
    if (u == nullptr || nfs_mount(ctx, u->server, u->path) != 0) {
        throw std::runtime_error(std::string("baseline mount: ") + nfs_get_error(ctx));
    }
    nfs_mkdir(ctx, "/small-raw");
    start = Clock::now();
    for (int i = 0; i < kFiles; ++i) {
        nfsfh* fh = nullptr;
        const std::string path = "/small-raw/f" + std::to_string(i);
        if (nfs_create(ctx, path.c_str(), O_WRONLY, 0644, &fh) != 0 ||
            nfs_pwrite(ctx, fh, 0, body.size(), const_cast<char*>(body.data())) < 0 ||
            nfs_close(ctx, fh) != 0) {
            throw std::runtime_error(std::string("baseline write: ") + nfs_get_error(ctx));
        }
    }
    const double raw_rate = kFiles / seconds_since(start);
    nfs_destroy_url(u);
    nfs_destroy_context(ctx);
    std::printf(
        "small files (1000 x 4 KB): plugin write_file %.0f files/s with one caller, %.0f "
        "with 4; raw libnfs (one context) %.0f files/s; ratios %.2f / %.2f "
        "(target >= 500 files/s)\n",
        plugin_rate, parallel_rate, raw_rate, plugin_rate / raw_rate, parallel_rate / raw_rate);
}

void experiment(tshost::plugin::StorageInstance& s, const tshost::test::NfsServer& server,
                const fs::path& tmp) {
    constexpr int kFiles = 2000;
    constexpr size_t kCodeBytes = size_t{50} << 20;
    constexpr int kTrials = 100;
    const fs::path code = tmp / "code";
    for (int i = 0; i < kFiles; ++i) {
        write_local(code / ("pkg" + std::to_string(i % 40)) / ("m" + std::to_string(i) + ".py"),
                    random_bytes(kCodeBytes / kFiles, 100 + static_cast<uint64_t>(i)));
    }
    const uint64_t before = bytes_under(server.export_dir());
    auto start = Clock::now();
    const auto sync = tshost::storage::sync_code(s, code, "benchexp");
    const double sync_s = seconds_since(start);
    // Per trial, what the platform writes: parameter.cfg and the run script, which
    // embeds the materialise function (the code itself is copied pod-locally).
    const std::string script =
        "#!/bin/sh\nexport NNI_PLATFORM=kubeflow\n" +
        std::string(tshost::storage::materialize_code_function()) +
        "\ntsh_materialize_code /tmp/mount/nni/.cas "
        "/tmp/mount/nni/benchexp/code.manifest \"$NNI_CODE_DIR\"\n"
        "cd \"$NNI_CODE_DIR\" && python3 -m nni.tools.trial_tool.trial_keeper"
        " --trial_command 'python3 main.py' --nnimanager_ip 10.0.0.1\n";
    uint64_t trial_bytes = 0;
    for (int t = 0; t < kTrials; ++t) {
        const std::string dir = "nni/benchexp/trial" + std::to_string(t);
        const std::string params = R"({"parameter_id":)" + std::to_string(t) +
                                   R"(,"parameters":{"lr":0.01,"batch":64,"optimizer":"adam"}})";
        s.write_file(dir + "/parameter.cfg", params);
        s.write_file(dir + "/run_worker.sh", script, TSH_WRITE_EXECUTABLE);
        trial_bytes += params.size() + script.size();
    }
    const uint64_t stored = bytes_under(server.export_dir()) - before;
    const uint64_t sent = sync.bytes_sent + trial_bytes;
    const double nni = static_cast<double>(sync.total_bytes) * (1 + kTrials);
    std::printf(
        "experiment (%d files, %.1f MB code, %d trials): code sync %.1f s; sent %.1f MB "
        "(code %.1f MB + %.0f bytes/trial, target < 16384); on the export %.1f MB; "
        "NNI writes %.0f MB (1 + %d copies): %.1fx less\n",
        kFiles, mb(sync.total_bytes), kTrials, sync_s, mb(sent), mb(sync.bytes_sent),
        static_cast<double>(trial_bytes) / kTrials, mb(stored), nni / 1e6, kTrials,
        nni / static_cast<double>(sent));
    start = Clock::now();
    const auto again = tshost::storage::sync_code(s, code, "benchexp2");
    std::printf("next experiment, same code: sent %llu bytes (manifest only) in %.2f s\n",
                static_cast<unsigned long long>(again.bytes_sent), seconds_since(start));
}

}  // namespace

int main() {
    const std::string reason = tshost::test::NfsServer::unavailable_reason();
    if (!reason.empty()) {
        std::printf("skipped: %s\n", reason.c_str());
        return 0;
    }
    try {
        tshost::test::NfsServer server;
        const fs::path tmp = server.export_dir().parent_path() / "bench-local";
        auto storage = open(server);
        storage->make_dir("bench");
        large_files(*storage, server, tmp);
        small_files(*storage, server);
        experiment(*storage, server, tmp);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nfs_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
