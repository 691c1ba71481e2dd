// `tshost storage check|ls|get` run as a user would: the real binary, a config
// file on disk, and a real store — nfs-ganesha on 127.0.0.1 or the local Azure
// Files endpoint. What ls/get browse is written through the storage plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "emulator.hpp"
#include "nfs_server.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using testing::Not;

namespace {

std::string random_bytes(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) {
        c = static_cast<char>(rng());
    }
    return s;
}

std::string read_local(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string base64(const std::string& bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                           (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
        for (int k = 18; k >= 0; k -= 6) {
            out += kAlphabet[(v >> k) & 63];
        }
    }
    if (i + 1 == bytes.size()) {
        const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
        out += std::string{kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const uint32_t v =
            (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
        out += std::string{kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63],
                           kAlphabet[(v >> 6) & 63], '='};
    }
    return out;
}

/// 64 random bytes, base64: the shape of a storage account key.
std::string random_key() {
    std::random_device rd;
    std::string bytes(64, '\0');
    for (char& c : bytes) {
        c = static_cast<char>(rd() & 0xFF);
    }
    return base64(bytes);
}

std::unique_ptr<tshost::plugin::StorageInstance> open_plugin(const char* library,
                                                             const std::string& config) {
    auto loaded = tshost::plugin::load_plugin(library);
    if (!loaded.plugin) {
        throw std::runtime_error(loaded.refusal->message());
    }
    return std::make_unique<tshost::plugin::StorageInstance>(*loaded.plugin, config,
                                                             tshost::plugin::InstanceOptions{});
}

/// The JSON document in an output that may also hold log lines.
json json_in(const std::string& output) {
    const auto start = output.find_first_of("{[");
    return json::parse(start == std::string::npos ? output : output.substr(start));
}

/// A scratch directory with the experiment config files, removed at the end.
class Scratch {
  public:
    Scratch() {
        std::string tmpl = (fs::temp_directory_path() / "tsh-storage-cli-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp");
        }
        dir_ = tmpl;
        fs::create_directories(dir_ / "code");
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    const fs::path& dir() const { return dir_; }

    /// An experiment config whose trainingService.storage is `storage_yaml`
    /// (indented by four spaces), or which has none when it is empty.
    std::string config(const std::string& storage_yaml, const std::string& name = "exp") const {
        const auto path = dir_ / (name + ".yml");
        std::ofstream out(path);
        out << "experimentName: storage-cli\n"
            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
            << "trialCommand: python3 trial.py\n"
            << "trialCodeDirectory: " << (dir_ / "code").string() << "\n"
            << "trialConcurrency: 1\nmaxTrialNumber: 1\n"
            << "tuner: {name: Random}\n"
            << "trainingService:\n  platform: local\n";
        if (!storage_yaml.empty()) {
            out << "  storage:\n" << storage_yaml;
        }
        return path.string();
    }

  private:
    fs::path dir_;
};

// ---- without a store: the command line itself ----------------------------------

TEST(StorageCli, HelpListsTheCommandAndItsActions) {
    const auto top = run_tshost({"--help"});
    EXPECT_EQ(top.exit_code, 0) << top.output;
    EXPECT_THAT(top.output, HasSubstr("storage     Check a config's storage end to end"));

    const auto help = run_tshost({"storage", "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_THAT(help.output, HasSubstr("usage: tshost storage check CONFIG"));
    EXPECT_THAT(help.output, HasSubstr("tshost storage ls CONFIG [PATH]"));
    EXPECT_THAT(help.output, HasSubstr("tshost storage get CONFIG PATH"));
    EXPECT_THAT(help.output, HasSubstr("--probe-mb"));
    EXPECT_THAT(help.output, HasSubstr("Exit status: 0 ok; 1 check failed"));
}

TEST(StorageCli, UsageAndConfigErrorsExitTwo) {
    Scratch scratch;
    const auto no_action = run_tshost({"storage"});
    EXPECT_EQ(no_action.exit_code, 2) << no_action.output;
    EXPECT_THAT(no_action.output, HasSubstr("missing the action: check, ls or get"));

    const auto bad_action = run_tshost({"storage", "copy", scratch.config("")});
    EXPECT_EQ(bad_action.exit_code, 2) << bad_action.output;
    EXPECT_THAT(bad_action.output, HasSubstr("unknown storage action 'copy'"));

    const auto no_config = run_tshost({"storage", "check"});
    EXPECT_EQ(no_config.exit_code, 2) << no_config.output;
    EXPECT_THAT(no_config.output, HasSubstr("needs the experiment config file"));

    const auto no_storage = run_tshost({"storage", "check", scratch.config("")});
    EXPECT_EQ(no_storage.exit_code, 2) << no_storage.output;
    EXPECT_THAT(no_storage.output, HasSubstr("has no trainingService.storage"));

    const std::string nfs = scratch.config(
        "    storageType: nfs\n    server: 127.0.0.1\n"
        "    path: /export\n    retries: many\n",
        "bad-key");
    const auto bad_key = run_tshost({"storage", "ls", nfs});
    EXPECT_EQ(bad_key.exit_code, 2) << bad_key.output;
    EXPECT_THAT(bad_key.output, HasSubstr("retries"));

    const auto no_path = run_tshost({"storage", "get", nfs});
    EXPECT_EQ(no_path.exit_code, 2) << no_path.output;
    EXPECT_THAT(no_path.output, HasSubstr("needs the PATH of a file"));

    const auto escape = run_tshost({"storage", "ls", nfs, "nni/../etc"});
    EXPECT_EQ(escape.exit_code, 2) << escape.output;
    EXPECT_THAT(escape.output, HasSubstr("cannot contain '..'"));

    const auto trial_alone = run_tshost({"storage", "ls", nfs, "--trial", "abcde"});
    EXPECT_EQ(trial_alone.exit_code, 2) << trial_alone.output;
    EXPECT_THAT(trial_alone.output, HasSubstr("--trial needs --experiment"));
}

// ---- NFS: a real nfs-ganesha ------------------------------------------------------

class StorageCliNfs : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::string reason = tshost::test::NfsServer::unavailable_reason();
        if (!reason.empty()) {
            GTEST_SKIP() << reason;
        }
        server_ = std::make_unique<tshost::test::NfsServer>();
    }

    std::string storage_yaml(const std::string& path = tshost::test::NfsServer::kExportPath,
                             int port = 0) const {
        const int nfs_port = port != 0 ? port : server_->nfs_port();
        const int mount_port = port != 0 ? port : server_->mount_port();
        return "    storageType: nfs\n    server: 127.0.0.1\n    path: " + path +
               "\n    port: " + std::to_string(nfs_port) +
               "\n    mountPort: " + std::to_string(mount_port) + "\n    retries: 0\n";
    }
    std::string config() const { return scratch_.config(storage_yaml()); }
    std::unique_ptr<tshost::plugin::StorageInstance> plugin() const {
        return open_plugin(NFS_PLUGIN_PATH, server_->plugin_config(3));
    }

    Scratch scratch_;
    std::unique_ptr<tshost::test::NfsServer> server_;
};

TEST_F(StorageCliNfs, CheckPassesAndReportsThroughput) {
    const auto run = run_tshost({"storage", "check", config()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    for (const char* step : {"connect", "write", "read back", "stat", "list", "upload throughput",
                             "read throughput", "remove"}) {
        EXPECT_THAT(run.output, testing::ContainsRegex(std::string("ok +") + step)) << step;
    }
    EXPECT_THAT(run.output, testing::ContainsRegex(
                                "Throughput \\(8 MiB probe.*\\): upload [0-9.]+ MB/s, read"));
    EXPECT_THAT(run.output, HasSubstr("Storage check passed."));
    // The probe is gone afterwards.
    EXPECT_TRUE(!fs::exists(server_->export_dir() / "nni/.tshost-check") ||
                fs::is_empty(server_->export_dir() / "nni/.tshost-check"));

    const auto as_json = run_tshost(
        {"--log-level", "error", "storage", "check", config(), "--json", "--probe-mb", "2"});
    ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
    const json report = json_in(as_json.output);
    EXPECT_TRUE(report["ok"].get<bool>());
    EXPECT_EQ(report["plugin"], "nfs");
    EXPECT_EQ(report["probeBytes"], 2 << 20);
    EXPECT_GT(report["uploadMBps"].get<double>(), 0);
    EXPECT_GT(report["readMBps"].get<double>(), 0);
    EXPECT_EQ(report["steps"].size(), 8U);
}

TEST_F(StorageCliNfs, CheckExplainsAWrongExportPath) {
    const auto run = run_tshost({"storage", "check", scratch_.config(storage_yaml("/nope"))});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, testing::ContainsRegex("FAIL +connect"));
    EXPECT_THAT(run.output, HasSubstr("Storage check FAILED at 'connect'"));
    EXPECT_THAT(run.output, HasSubstr("export /nope not found on 127.0.0.1"));
    EXPECT_THAT(run.output, HasSubstr("showmount -e 127.0.0.1"));
    EXPECT_THAT(run.output, HasSubstr("Fix: Check the storage config (server, export path"));
    EXPECT_THAT(run.output, testing::ContainsRegex("skip +write"));
}

TEST_F(StorageCliNfs, CheckExplainsAnUnreachableServer) {
    const int port = server_->nfs_port();
    server_->stop();
    const auto run =
        run_tshost({"storage", "check",
                    scratch_.config(storage_yaml(tshost::test::NfsServer::kExportPath, port))});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr("Storage check FAILED at 'connect'"));
    EXPECT_THAT(run.output,
                HasSubstr("cannot reach the NFS server 127.0.0.1 port " + std::to_string(port)));
    EXPECT_THAT(run.output, HasSubstr("Fix: The storage server could not be reached"));
}

TEST_F(StorageCliNfs, LsShowsFilesWrittenThroughThePlugin) {
    auto store = plugin();
    store->write_file("nni/Exp12345/abcde/trial.log", "epoch 1\nepoch 2\n");
    store->write_file("nni/Exp12345/abcde/output/model.bin", std::string(1234, 'm'));
    store->write_file("nni/Exp12345/fghij/trial.log", "other trial\n");

    const auto experiments = run_tshost({"storage", "ls", config()});
    ASSERT_EQ(experiments.exit_code, 0) << experiments.output;
    EXPECT_THAT(experiments.output, HasSubstr("nni/ ("));
    EXPECT_THAT(experiments.output, testing::ContainsRegex("Exp12345/ +dir"));

    const auto trial = run_tshost({"storage", "ls", config(), "nni/Exp12345/abcde"});
    ASSERT_EQ(trial.exit_code, 0) << trial.output;
    EXPECT_THAT(trial.output, testing::ContainsRegex("NAME +TYPE +SIZE +MODIFIED"));
    EXPECT_THAT(trial.output,
                testing::ContainsRegex("trial\\.log +file +16 +[0-9]{4}-[0-9]{2}-[0-9]{2} "));
    EXPECT_THAT(trial.output, testing::ContainsRegex("output/ +dir"));
    EXPECT_THAT(trial.output, Not(HasSubstr("other trial")));

    const auto shortcut = run_tshost({"--log-level", "error", "storage", "ls", config(), "output",
                                      "--experiment", "Exp12345", "--trial", "abcde", "--json"});
    ASSERT_EQ(shortcut.exit_code, 0) << shortcut.output;
    const json listing = json_in(shortcut.output);
    EXPECT_EQ(listing["path"], "nni/Exp12345/abcde/output");
    ASSERT_EQ(listing["entries"].size(), 1U);
    EXPECT_EQ(listing["entries"][0]["name"], "model.bin");
    EXPECT_EQ(listing["entries"][0]["type"], "file");
    EXPECT_EQ(listing["entries"][0]["size"], 1234);

    const auto missing = run_tshost({"storage", "ls", config(), "nni/Exp12345/zzzzz"});
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_THAT(missing.output, HasSubstr("'nni/Exp12345/zzzzz' is not in the store"));
}

TEST_F(StorageCliNfs, GetReturnsTheExactBytesOfAMultiMegabyteFile) {
    // 9 MiB + 7: several read ranges, the last one short.
    const std::string data = random_bytes((size_t{9} << 20) + 7, 42);
    const auto local = scratch_.dir() / "upload.bin";
    std::ofstream(local, std::ios::binary) << data;
    plugin()->upload_file(local.string(), "nni/Exp12345/abcde/output/weights.bin");

    const auto out = scratch_.dir() / "downloaded.bin";
    const auto run = run_tshost({"storage", "get", config(), "output/weights.bin", "--experiment",
                                 "Exp12345", "--trial", "abcde", "-o", out.string()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("wrote " + std::to_string(data.size()) + " bytes"));
    EXPECT_TRUE(read_local(out) == data) << "the downloaded file differs";

    // To stdout, byte for byte (the output holds nothing else).
    plugin()->write_file("nni/Exp12345/abcde/trial.log", "line 1\nline 2\n");
    const auto to_stdout = run_tshost(
        {"--log-level", "error", "storage", "get", config(), "nni/Exp12345/abcde/trial.log"});
    ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.output;
    EXPECT_EQ(to_stdout.output, "line 1\nline 2\n");
}

TEST_F(StorageCliNfs, GetOfAMissingPathOrAFolderExitsOne) {
    plugin()->write_file("nni/Exp12345/abcde/trial.log", "x");
    const auto out = scratch_.dir() / "never.bin";
    const auto missing =
        run_tshost({"storage", "get", config(), "nni/Exp12345/abcde/nope.log", "-o", out.string()});
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_THAT(missing.output, HasSubstr("'nni/Exp12345/abcde/nope.log' is not in the store"));
    EXPECT_THAT(missing.output, HasSubstr("tshost storage ls CONFIG nni/Exp12345/abcde"));
    EXPECT_FALSE(fs::exists(out));

    const auto folder = run_tshost({"storage", "get", config(), "nni/Exp12345/abcde"});
    EXPECT_EQ(folder.exit_code, 1) << folder.output;
    EXPECT_THAT(folder.output, HasSubstr("is a dir, not a file"));
}

// ---- Azure Files: the local endpoint, which checks every Shared Key signature -----

class StorageCliAzure : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        key_ = random_key();
        emulator_ = std::make_unique<azure_test::Emulator>(
            azure_test::EmulatorOptions{"devaccount", key_, 3});
        ::setenv("STORAGE_CLI_TEST_KEY", key_.c_str(), 1);
    }
    static void TearDownTestSuite() { emulator_.reset(); }

    static std::string storage_yaml(const std::string& key_env = "STORAGE_CLI_TEST_KEY") {
        return "    storageType: azureStorage\n    azureAccount: devaccount\n"
               "    azureShare: data\n    accountKeyEnv: " +
               key_env + "\n    endpoint: " + emulator_->endpoint() + "\n";
    }
    std::string config() const { return scratch_.config(storage_yaml()); }
    static std::unique_ptr<tshost::plugin::StorageInstance> plugin() {
        return open_plugin(AZURE_PLUGIN_PATH, json{{"azureAccount", "devaccount"},
                                                   {"azureShare", "data"},
                                                   {"accountKeyEnv", "STORAGE_CLI_TEST_KEY"},
                                                   {"endpoint", emulator_->endpoint()}}
                                                  .dump());
    }

    Scratch scratch_;
    static inline std::string key_;
    static inline std::unique_ptr<azure_test::Emulator> emulator_;
};

TEST_F(StorageCliAzure, CheckPassesAndReportsThroughput) {
    const long auth_failures = emulator_->stats()["authFailures"];
    const auto run = run_tshost({"storage", "check", config()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("Checking the azure-file store"));
    EXPECT_THAT(run.output, testing::ContainsRegex("ok +remove"));
    EXPECT_THAT(run.output, testing::ContainsRegex("upload [0-9.]+ MB/s, read [0-9.]+ MB/s"));
    EXPECT_THAT(run.output, HasSubstr("Storage check passed."));
    EXPECT_THAT(run.output, Not(HasSubstr(key_)));
    EXPECT_EQ(emulator_->stats()["authFailures"].get<long>(), auth_failures);
}

TEST_F(StorageCliAzure, CheckExplainsAWrongKeyWithoutPrintingIt) {
    const std::string wrong = random_key();
    ::setenv("STORAGE_CLI_WRONG_KEY", wrong.c_str(), 1);
    const long auth_failures = emulator_->stats()["authFailures"];
    const auto run =
        run_tshost({"storage", "check", scratch_.config(storage_yaml("STORAGE_CLI_WRONG_KEY"))});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr("Storage check FAILED at 'connect'"));
    EXPECT_THAT(run.output, HasSubstr("403 AuthenticationFailed"));
    EXPECT_THAT(run.output, HasSubstr("environment variable 'STORAGE_CLI_WRONG_KEY'"));
    EXPECT_THAT(run.output, HasSubstr("Fix: The server refused access"));
    EXPECT_THAT(run.output, HasSubstr("storage account name and its key"));
    EXPECT_THAT(run.output, Not(HasSubstr(wrong)));
    EXPECT_THAT(run.output, Not(HasSubstr(key_)));
    EXPECT_GT(emulator_->stats()["authFailures"].get<long>(), auth_failures);

    const auto as_json =
        run_tshost({"--log-level", "error", "storage", "check",
                    scratch_.config(storage_yaml("STORAGE_CLI_WRONG_KEY")), "--json"});
    EXPECT_EQ(as_json.exit_code, 1) << as_json.output;
    const json report = json_in(as_json.output);
    EXPECT_FALSE(report["ok"].get<bool>());
    EXPECT_EQ(report["steps"][0]["name"], "connect");
    EXPECT_FALSE(report["steps"][0]["ok"].get<bool>());
    EXPECT_FALSE(report["steps"][1]["ran"].get<bool>());
}

TEST_F(StorageCliAzure, LsAndGetBrowseFilesWrittenThroughThePlugin) {
    const std::string data = random_bytes((size_t{6} << 20) + 3, 7);
    const auto local = scratch_.dir() / "upload.bin";
    std::ofstream(local, std::ios::binary) << data;
    auto store = plugin();
    store->upload_file(local.string(), "nni/AzExp123/qrstu/output/weights.bin");
    store->write_file("nni/AzExp123/qrstu/trial.log", "azure trial\n");

    const auto listing =
        run_tshost({"storage", "ls", config(), "--experiment", "AzExp123", "--trial", "qrstu"});
    ASSERT_EQ(listing.exit_code, 0) << listing.output;
    EXPECT_THAT(listing.output, testing::ContainsRegex("trial\\.log +file +12 "));
    EXPECT_THAT(listing.output, testing::ContainsRegex("output/ +dir"));

    const auto out = scratch_.dir() / "weights.bin";
    const auto got = run_tshost(
        {"storage", "get", config(), "nni/AzExp123/qrstu/output/weights.bin", "-o", out.string()});
    ASSERT_EQ(got.exit_code, 0) << got.output;
    EXPECT_TRUE(read_local(out) == data) << "the downloaded file differs";

    const auto missing = run_tshost({"storage", "get", config(), "nni/AzExp123/qrstu/missing.bin"});
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_THAT(missing.output, HasSubstr("is not in the store"));
}

}  // namespace
