// The azure-file storage plugin: files live on an Azure file share, reached over
// the REST API with Shared Key; pods mount the share through the in-tree azureFile
// volume and a Secret holding the account name and key.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <tshost/plugin.hpp>

#include "config.hpp"
#include "crypto.hpp"
#include "file_share.hpp"
#include "http_client.hpp"
#include "key_source.hpp"
#include "redact.hpp"

namespace tshost::azure {
namespace {

Endpoint endpoint_for(const Config& c) {
    if (c.endpoint.empty()) {
        return {"https://" + c.account + ".file." + c.endpoint_suffix, ""};
    }
    const size_t path = c.endpoint.find('/', c.endpoint.find("://") + 3);
    if (path == std::string::npos) {
        return {c.endpoint, ""};
    }
    return {c.endpoint.substr(0, path), c.endpoint.substr(path)};
}

std::string random_hex() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}

// The temporary name a file is written under before it is renamed into place:
// hidden, in the same directory, so the rename never crosses directories.
std::string temp_name(std::string_view path) {
    const size_t slash = path.rfind('/');
    const std::string dir =
        slash == std::string_view::npos ? "" : std::string(path.substr(0, slash + 1));
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return dir + ".tshost-" + random_hex() + "-" + std::string(name.substr(0, 200));
}

}  // namespace

class AzureFile {
  public:
    static constexpr Meta meta{
        .name = "azure-file",
        .version = "1.0.0",
        .description = "Azure File Storage over the REST API (Shared Key); pods mount the share",
        .config_schema = kConfigSchema};

    explicit AzureFile(const CreateArgs& args)
        : host_(args.host), config_(parse_config(args.config_json)) {
        // `tshost validate` and `render` reach no service: no key, no share; the pod volume
        // is described without the key, which they redact anyway.
        const auto experiment = nlohmann::json::parse(args.experiment_json, nullptr, false);
        if (experiment.is_object() && experiment.contains("offline") &&
            experiment["offline"] == true) {
            return;
        }
        guarded([&] {
            const auto timeout = std::chrono::milliseconds(config_.timeout_ms);
            key_ = load_account_key(config_, timeout);
            secrets_ = {key_.text, base64_encode(key_.text)};
            if (!key_.warnings.empty()) {
                host_.warn("az printed warnings while reading the account key: " + key_.warnings);
            }
            client_ =
                std::make_unique<Client>(endpoint_for(config_), config_.account, key_.decoded,
                                         RetryPolicy{config_.upload_retry_count, timeout}, host_);
            share_ =
                std::make_unique<FileShare>(*client_, config_.account, config_.share, key_.source);
            share_->create_share();
            host_.info("using Azure file share '" + config_.share + "' of account '" +
                       config_.account + "' at " + share_->url("") + " (key from " + key_.source +
                       ")");
        });
    }

    void make_dir(std::string_view path) {
        guarded([&] { share().make_dir(path); });
    }

    // TSH_WRITE_EXECUTABLE has no REST equivalent on SMB shares; the azureFile
    // volume applies its own file mode (0777 by default) in pods.
    void write_file(std::string_view path, std::string_view data, uint32_t) {
        guarded([&] {
            write_atomically(path, data.size(), [&](uint64_t offset, uint64_t size) {
                return data.substr(offset, size);
            });
        });
    }

    void upload_file(std::string_view local_path, std::string_view path, uint32_t) {
        guarded([&] {
            std::ifstream in{std::string(local_path), std::ios::binary | std::ios::ate};
            if (!in) {
                throw Error(TSH_ERR_NOT_FOUND,
                            "cannot open local file '" + std::string(local_path) + "'");
            }
            const auto size = static_cast<uint64_t>(in.tellg());
            std::string buffer;
            write_atomically(path, size, [&](uint64_t offset, uint64_t n) {
                buffer.resize(n);
                in.seekg(static_cast<std::streamoff>(offset));
                in.read(buffer.data(), static_cast<std::streamsize>(n));
                return std::string_view(buffer.data(), static_cast<size_t>(in.gcount()));
            });
        });
    }

    void read_file(std::string_view path, uint64_t offset, uint64_t length, Sink& out) {
        guarded([&] { share().read(path, offset, length, out); });
    }

    FileInfo stat(std::string_view path) {
        FileInfo info;
        guarded([&] { info = share().stat(path); });
        return info;
    }

    std::string list_dir(std::string_view path) {
        nlohmann::json out = nlohmann::json::array();
        guarded([&] {
            for (const ListEntry& e : share().list(path)) {
                out.push_back({{"name", e.name},
                               {"type", e.directory ? "dir" : "file"},
                               {"size", e.size},
                               {"mtime", e.mtime_ms}});
            }
        });
        return out.dump();
    }

    void remove(std::string_view path, uint32_t flags) {
        guarded([&] { share().remove(path, (flags & TSH_REMOVE_RECURSIVE) != 0); });
    }

    void rename(std::string_view from, std::string_view to) {
        guarded([&] { share().rename(from, to); });
    }

    std::string pod_volume() {
        const std::string secret =
            "tshost-azure-" + sha256_hex(config_.account + "/" + config_.share).substr(0, 8);
        const nlohmann::json volume = {
            {"volume",
             {{"name", "nni-vol"},
              {"azureFile",
               {{"secretName", secret}, {"shareName", config_.share}, {"readOnly", false}}}}},
            {"volumeMount", {{"mountPath", config_.mount_path}}},
            {"secret",
             {{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", secret}}},
              {"type", "Opaque"},
              {"data",
               {{"azurestorageaccountname", base64_encode(config_.account)},
                {"azurestorageaccountkey", base64_encode(key_.text)}}}}}};
        return volume.dump();
    }

    std::string browse_url(std::string_view path) {
        if (!config_.endpoint.empty()) {
            return share().url(path);
        }
        return "https://" + config_.account + ".file." + config_.endpoint_suffix + "/" +
               config_.share + (path.empty() ? "" : "/" + std::string(path));
    }

  private:
    // Every message leaving the plugin passes here: whatever a server or az echoed
    // back, the key never reaches the host.
    template <class F>
    void guarded(F&& body) const {
        try {
            body();
        } catch (const Error& e) {
            throw Error(e.status(), redact(e.what(), secrets_));
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            throw Error(TSH_ERR_INTERNAL, redact(e.what(), secrets_));
        }
    }

    // Readers never see a partial file: write a hidden temporary, then rename it
    // over the target (Rename File replaces atomically).
    void write_atomically(std::string_view path, uint64_t size,
                          const FileShare::ChunkSource& chunk) {
        const std::string temp = temp_name(path);
        try {
            share().write_file(temp, size, chunk);
            share().rename(temp, path);
        } catch (...) {
            try {
                share().remove(temp, false);
            } catch (const std::exception& e) {
                host_.warn(redact("could not remove temporary file '" + temp + "': " + e.what(),
                                  secrets_));
            }
            throw;
        }
    }

    FileShare& share() const {
        if (!share_) {
            throw Error(TSH_ERR_UNSUPPORTED, "the share is not reached offline (validate, render)");
        }
        return *share_;
    }

    Host host_;
    Config config_;
    AccountKey key_;
    std::vector<std::string> secrets_;
    std::unique_ptr<Client> client_;
    std::unique_ptr<FileShare> share_;
};

}  // namespace tshost::azure

TSHOST_STORAGE_PLUGIN(tshost::azure::AzureFile)
