#include "storage/check.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>

namespace tshost::storage {
namespace {

using Clock = std::chrono::steady_clock;

std::string fix_for(tsh_status status) {
    switch (status) {
        case TSH_ERR_TRANSIENT:
            return "The storage server could not be reached: check the address and ports in the "
                   "storage config, that the server runs and that no firewall blocks it.";
        case TSH_ERR_PERMISSION:
            return "The server refused access: follow the message. NFS: the export's squash "
                   "settings or the uid/gid presented (\"uid\"/\"gid\"). Azure Files: the "
                   "storage account name and its key (Key Vault secret keyVaultName/keyVaultKey, "
                   "or accountKeyEnv/accountKeyFile).";
        case TSH_ERR_INVALID_ARGUMENT:
            return "Check the storage config (server, export path or share) against what the "
                   "server offers.";
        case TSH_ERR_NOT_FOUND:
            return "A file written a moment ago is missing: another client may be cleaning this "
                   "folder, or the server loses writes.";
        default:
            return "Fix what the message names, then run the check again.";
    }
}

std::string random_bytes(size_t n) {
    std::mt19937_64 rng{std::random_device{}()};
    std::string s(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
        const uint64_t v = rng();
        for (size_t k = 0; k < 8 && i + k < n; ++k)
            s[i + k] = static_cast<char>(v >> (8 * k));
    }
    return s;
}

double mb_per_s(uint64_t bytes, double seconds) {
    return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0;
}

std::string rate_text(uint64_t bytes, double mbps) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", mbps);
    return std::to_string(bytes) + " bytes at " + rate + " MB/s";
}

class Runner {
  public:
    explicit Runner(CheckReport& report) : report_(report) {}

    /// Runs `body` as a step unless an earlier step failed; body may set detail.
    bool step(const std::string& name, const std::function<void(CheckStep&)>& body,
              bool always = false) {
        CheckStep s;
        s.name = name;
        if (failed_ && !always) {
            s.detail = "skipped: an earlier step failed";
            report_.steps.push_back(std::move(s));
            return false;
        }
        s.ran = true;
        const auto start = Clock::now();
        try {
            body(s);
            s.ok = true;
        } catch (const plugin::PluginError& e) {
            s.detail = e.what();
            s.fix = fix_for(e.status());
        } catch (const std::exception& e) {
            s.detail = e.what();
            if (s.fix.empty())
                s.fix = fix_for(TSH_ERR_GENERIC);
        }
        s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        failed_ = failed_ || !s.ok;
        const bool ok = s.ok;
        report_.steps.push_back(std::move(s));
        return ok;
    }
    bool failed() const noexcept { return failed_; }

  private:
    CheckReport& report_;
    bool failed_ = false;
};

// A mismatch is the store's fault, not the caller's: name it and say what to check.
[[noreturn]] void corrupted(CheckStep& s, const std::string& what) {
    s.fix =
        "The store returned other bytes than were written: look for a caching layer or a "
        "misbehaving server between this machine and the export.";
    throw std::runtime_error(what);
}

}  // namespace

std::string CheckReport::to_json() const {
    auto steps_json = nlohmann::json::array();
    for (const CheckStep& s : steps) {
        steps_json.push_back({{"name", s.name},
                              {"ok", s.ok},
                              {"ran", s.ran},
                              {"detail", s.detail},
                              {"fix", s.fix},
                              {"seconds", s.seconds}});
    }
    return nlohmann::json{{"ok", ok},
                          {"uploadMBps", upload_mb_per_s},
                          {"readMBps", read_mb_per_s},
                          {"steps", steps_json}}
        .dump();
}

CheckReport open_failed_report(tsh_status status, const std::string& message) {
    CheckReport report;
    CheckStep connect;
    connect.name = "connect";
    connect.ran = true;
    connect.detail = message;
    connect.fix = fix_for(status);
    report.steps.push_back(std::move(connect));
    for (const char* name :
         {"write", "read back", "stat", "list", "upload throughput", "read throughput"}) {
        CheckStep s;
        s.name = name;
        s.detail = "skipped: an earlier step failed";
        report.steps.push_back(std::move(s));
    }
    return report;
}

CheckReport check_storage(plugin::StorageInstance& storage, const CheckOptions& options) {
    CheckReport report;
    Runner run(report);
    const std::string dir = options.dir + "/" + std::to_string(::getpid()) + "-" +
                            std::to_string(std::random_device{}());
    const std::string probe = dir + "/probe.txt";
    const std::string big = dir + "/throughput.bin";
    const std::string probe_text = "tshost storage check " + dir + "\n";

    const bool created = run.step("connect", [&](CheckStep& s) {
        storage.make_dir(dir);
        s.detail = "created " + dir;
    });
    run.step("write", [&](CheckStep&) { storage.write_file(probe, probe_text); });
    run.step("read back", [&](CheckStep& s) {
        if (storage.read_file(probe) != probe_text)
            corrupted(s, "read back other content");
    });
    run.step("stat", [&](CheckStep& s) {
        const auto info = storage.stat(probe);
        if (!info || info->size != probe_text.size())
            corrupted(s, "stat reports another size");
    });
    run.step("list", [&](CheckStep& s) {
        const auto listing = nlohmann::json::parse(storage.list_dir(dir));
        bool found = false;
        for (const auto& e : listing)
            found = found || e.value("name", "") == "probe.txt";
        if (!found)
            corrupted(s, "the probe is missing from the listing: " + listing.dump());
    });

    const std::string payload = random_bytes(options.throughput_bytes);
    const std::filesystem::path local =
        std::filesystem::temp_directory_path() / ("tshost-check-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(std::random_device{}()));
    run.step("upload throughput", [&](CheckStep& s) {
        std::ofstream(local, std::ios::binary) << payload;
        const auto start = Clock::now();
        storage.upload_file(local.string(), big);
        report.upload_mb_per_s =
            mb_per_s(payload.size(), std::chrono::duration<double>(Clock::now() - start).count());
        s.detail = rate_text(payload.size(), report.upload_mb_per_s);
    });
    std::error_code ignored;
    std::filesystem::remove(local, ignored);
    run.step("read throughput", [&](CheckStep& s) {
        const auto start = Clock::now();
        const std::string back = storage.read_file(big);
        report.read_mb_per_s =
            mb_per_s(back.size(), std::chrono::duration<double>(Clock::now() - start).count());
        if (back != payload)
            corrupted(s, "the large file read back differs from what was sent");
        s.detail = rate_text(back.size(), report.read_mb_per_s);
    });
    if (created) {
        // Cleanup runs even after a failure, so a failed check leaves nothing behind.
        run.step(
            "remove",
            [&](CheckStep& s) {
                storage.remove(dir, TSH_REMOVE_RECURSIVE);
                if (storage.stat(dir))
                    corrupted(s, "the probe folder is still there after remove");
            },
            true);
    }
    report.ok = !run.failed();
    return report;
}

}  // namespace tshost::storage
