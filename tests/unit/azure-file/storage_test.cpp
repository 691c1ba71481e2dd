// Every storage function end to end: plugin -> libcurl -> emulator -> disk.
#include <gmock/gmock.h>

#include <fstream>
#include <thread>

#include "crypto.hpp"
#include "fixture.hpp"

using namespace azure_test;
using testing::HasSubstr;

namespace {

class AzureStorage : public AzureFileTest {
  protected:
    void SetUp() override {
        instance_ = make_instance(config());
        store_ = std::make_unique<tshost::Storage>(storage(*instance_));
    }
    nlohmann::json list(const std::string& path) {
        return nlohmann::json::parse(store_->list_dir(path));
    }
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<tshost::Storage> store_;
};

std::vector<std::string> names(const nlohmann::json& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e["name"]);
    }
    return out;
}

}  // namespace

TEST_F(AzureStorage, ShareIsCreatedWhenMissing) {
    EXPECT_FALSE(std::filesystem::exists(emulator_->share_dir("fresh-share")));
    const auto fresh = make_instance(config("fresh-share"));
    EXPECT_TRUE(std::filesystem::is_directory(emulator_->share_dir("fresh-share")));
    make_instance(config("fresh-share"));  // an existing share is fine
}

TEST_F(AzureStorage, WriteCreatesParentsAndReadsRanges) {
    store_->write_file("exp1/trial1/parameter.cfg", "hello world");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg"), "hello world");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 6, 3), "wor");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 6), "world");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 6, 1000), "world");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 11), "");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 500, 10), "");
    EXPECT_EQ(store_->read_file("exp1/trial1/parameter.cfg", 0, 0), "");
    std::ifstream on_disk(emulator_->share_dir("data") / "exp1/trial1/parameter.cfg");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(on_disk), {}), "hello world");
}

TEST_F(AzureStorage, EmptyFileAndOverwrite) {
    store_->write_file("empty.txt", "");
    EXPECT_EQ(store_->read_file("empty.txt"), "");
    EXPECT_EQ(store_->read_file("empty.txt", 3), "");
    store_->write_file("over.txt", "a long first version");
    store_->write_file("over.txt", "second");
    EXPECT_EQ(store_->read_file("over.txt"), "second");
    for (const auto& name : names(list(""))) {
        EXPECT_THAT(name, testing::Not(HasSubstr(".tshost-"))) << "temporary file left behind";
    }
}

TEST_F(AzureStorage, MissingFileIsNotFound) {
    EXPECT_EQ(failure([&] { store_->read_file("nope/missing.txt"); }).status, TSH_ERR_NOT_FOUND);
    EXPECT_EQ(failure([&] { store_->read_file("nope/missing.txt", 0, 0); }).status,
              TSH_ERR_NOT_FOUND);
    EXPECT_FALSE(store_->stat("nope/missing.txt"));
}

TEST_F(AzureStorage, StatDescribesFilesAndDirectories) {
    store_->write_file("stat/f.bin", std::string(1234, 'x'));
    const auto file = store_->stat("stat/f.bin");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->type, TSH_FILE_REGULAR);
    EXPECT_EQ(file->size, 1234U);
    EXPECT_GT(file->mtime_ms, 1600000000000);
    const auto dir = store_->stat("stat");
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir->type, TSH_FILE_DIRECTORY);
}

TEST_F(AzureStorage, MakeDirIsIdempotentAndNested) {
    store_->make_dir("a/b/c/d");
    store_->make_dir("a/b/c/d");
    store_->make_dir("a/b");
    EXPECT_TRUE(std::filesystem::is_directory(emulator_->share_dir("data") / "a/b/c/d"));
}

TEST_F(AzureStorage, ListPagesThroughMoreThanOnePage) {
    for (int i = 0; i < 8; ++i) {  // the emulator serves 3 entries per page
        store_->write_file("many/f" + std::to_string(i), std::string(static_cast<size_t>(i), 'z'));
    }
    store_->make_dir("many/subdir");
    const auto entries = list("many");
    ASSERT_EQ(entries.size(), 9U);
    EXPECT_EQ(names(entries),
              (std::vector<std::string>{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "subdir"}));
    EXPECT_EQ(entries[5]["type"], "file");
    EXPECT_EQ(entries[5]["size"], 5);
    EXPECT_GT(entries[5]["mtime"].get<int64_t>(), 1600000000000);
    EXPECT_EQ(entries[8]["type"], "dir");
    EXPECT_EQ(failure([&] { list("not-there"); }).status, TSH_ERR_NOT_FOUND);
}

TEST_F(AzureStorage, NamesThatNeedEncoding) {
    const std::string name = "odd names/a b&c=d+e%f ü.txt";
    store_->write_file(name, "x");
    EXPECT_EQ(store_->read_file(name), "x");
    EXPECT_EQ(names(list("odd names")), std::vector<std::string>{"a b&c=d+e%f ü.txt"});
}

TEST_F(AzureStorage, UploadStreamsLargeFilesInRanges) {
    const auto local = std::filesystem::temp_directory_path() / "azure-upload-test.bin";
    std::string data(9 * 1024 * 1024 + 123, '\0');
    for (size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>((i * 131) % 251);
    }
    std::ofstream(local, std::ios::binary)
        .write(data.data(), static_cast<std::streamsize>(data.size()));
    const long before = emulator_->stats()["requests"];
    store_->upload_file(local.string(), "code/big.bin");
    const long requests = emulator_->stats()["requests"].get<long>() - before;
    EXPECT_GE(requests, 5);  // create + 3 ranges of at most 4 MiB + rename
    EXPECT_EQ(store_->read_file("code/big.bin"), data);
    EXPECT_EQ(store_->read_file("code/big.bin", 4 * 1024 * 1024 - 2, 4),
              data.substr(4 * 1024 * 1024 - 2, 4));
    std::filesystem::remove(local);
    EXPECT_EQ(failure([&] { store_->upload_file("/nonexistent/file", "x"); }).status,
              TSH_ERR_NOT_FOUND);
}

TEST_F(AzureStorage, RemoveFilesAndTreesBottomUp) {
    store_->write_file("tree/a.txt", "1");
    store_->write_file("tree/sub/b.txt", "2");
    store_->write_file("tree/sub/deeper/c.txt", "3");
    for (int i = 0; i < 5; ++i) {
        store_->write_file("tree/sub/n" + std::to_string(i), "n");
    }
    store_->remove("tree/a.txt");
    EXPECT_FALSE(store_->stat("tree/a.txt"));
    const Failure not_empty = failure([&] { store_->remove("tree"); });
    EXPECT_EQ(not_empty.status, TSH_ERR_EXISTS);
    EXPECT_THAT(not_empty.message, HasSubstr("DirectoryNotEmpty"));
    store_->remove("tree", TSH_REMOVE_RECURSIVE);
    EXPECT_FALSE(store_->stat("tree"));
    EXPECT_FALSE(std::filesystem::exists(emulator_->share_dir("data") / "tree"));
    store_->remove("tree", TSH_REMOVE_RECURSIVE);  // missing is success
    store_->remove("never/existed");
}

TEST_F(AzureStorage, RenameReplacesTheTarget) {
    ASSERT_NE(instance_->access()->vtable->rename, nullptr);
    store_->write_file("mv/from", "new");
    store_->write_file("mv/to", "old");
    tshost::detail::check_call([&](tsh_errbuf* e) {
        return instance_->access()->vtable->rename(
            instance_->access()->instance, tshost::to_tsh("mv/from"), tshost::to_tsh("mv/to"), e);
    });
    EXPECT_EQ(store_->read_file("mv/to"), "new");
    EXPECT_FALSE(store_->stat("mv/from"));
}

TEST_F(AzureStorage, ConcurrentCallsFromSeveralThreads) {
    std::vector<std::thread> threads;
    std::vector<std::string> errors(6);
    for (size_t t = 0; t < errors.size(); ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < 5; ++i) {
                    const std::string path = "par/t" + std::to_string(t) + "/f" + std::to_string(i);
                    store_->write_file(path, path);
                    if (store_->read_file(path) != path) {
                        errors[t] = "read back a different content for " + path;
                    }
                }
            } catch (const std::exception& e) {
                errors[t] = e.what();
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (const auto& e : errors) {
        EXPECT_EQ(e, "");
    }
    EXPECT_EQ(list("par").size(), errors.size());
}

TEST_F(AzureStorage, PodVolumeAndBrowseUrl) {
    const auto v = nlohmann::json::parse(store_->pod_volume());
    const std::string secret = v["volume"]["azureFile"]["secretName"];
    EXPECT_THAT(secret, testing::MatchesRegex("tshost-azure-[0-9a-f]{8}"));
    EXPECT_EQ(v["volume"]["name"], "nni-vol");
    EXPECT_EQ(v["volume"]["azureFile"]["shareName"], "data");
    EXPECT_EQ(v["volume"]["azureFile"]["readOnly"], false);
    EXPECT_EQ(v["volumeMount"]["mountPath"], "/tmp/mount");
    EXPECT_EQ(v["secret"]["kind"], "Secret");
    EXPECT_EQ(v["secret"]["type"], "Opaque");
    EXPECT_EQ(v["secret"]["metadata"]["name"], secret);
    EXPECT_EQ(v["secret"]["data"]["azurestorageaccountname"], "ZGV2YWNjb3VudA==");  // devaccount
    EXPECT_EQ(v["secret"]["data"]["azurestorageaccountkey"], tshost::azure::base64_encode(key_));
    // Deterministic per account and share, different for another share.
    const auto other = make_instance(config("other-share"));
    EXPECT_NE(
        nlohmann::json::parse(storage(*other).pod_volume())["volume"]["azureFile"]["secretName"],
        secret);
    EXPECT_EQ(store_->browse_url("nni/exp/trial"), emulator_->endpoint() + "/data/nni/exp/trial");
}
