// Content-addressed code upload over a real NFS server: unchanged files are never
// sent twice, and the pod-side shell function rebuilds the tree from the share.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "nfs_fixture.hpp"
#include "storage/code_manifest.hpp"
#include "storage/code_script.hpp"
#include "storage/code_sync.hpp"
#include "storage/sha256.hpp"

using namespace nfstest;
using tshost::storage::sync_code;
namespace fs = std::filesystem;

namespace {

class CodeSync : public NfsTest {
  protected:
    void SetUp() override {
        NfsTest::SetUp();
        if (IsSkipped())
            return;
        write_local(code_.path() / "main.py", "import nni\n");
        write_local(code_.path() / "lib/model.py", random_bytes(300'000, 11));
        write_local(code_.path() / "lib/copy_of_model.py",
                    read_local(code_.path() / "lib/model.py"));
        write_local(code_.path() / "data/big.bin", random_bytes(2'000'000, 12));
        write_local(code_.path() / "run.sh", "#!/bin/sh\n");
        fs::permissions(code_.path() / "run.sh", fs::perms::owner_exec, fs::perm_options::add);
        write_local(code_.path() / ".nniignore", "data\n*.log\n");
        write_local(code_.path() / "train.log", "ignored");
    }
    TempDir code_;
};

int run_sh(const std::string& script) {
    const int status = std::system(("sh -c '" + script + "'").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_F(CodeSync, UploadsOncePerContentAndNeverAgain) {
    auto s = open();
    const auto first = sync_code(*s, code_.path(), "exp1");
    EXPECT_EQ(first.files, 5U);           // .nniignore, main.py, lib/*.py x2, run.sh
    EXPECT_EQ(first.blobs_uploaded, 4U);  // the two model files share one blob
    const uint64_t code_bytes = 11 + 300'000 + 10 + read_local(code_.path() / ".nniignore").size();
    const std::string manifest = s->read_file("nni/exp1/code.manifest");
    EXPECT_EQ(first.bytes_sent, code_bytes + manifest.size());
    EXPECT_FALSE(
        fs::exists(server().export_dir() / "nni/.cas" /
                   tshost::storage::sha256_file(code_.path() / "data/big.bin").substr(0, 2)));
    EXPECT_THAT(manifest, testing::Not(testing::HasSubstr("train.log")));

    // Resume or re-run: nothing but the manifest is sent.
    const auto second = sync_code(*s, code_.path(), "exp1");
    EXPECT_EQ(second.blobs_uploaded, 0U);
    EXPECT_EQ(second.blobs_present, 4U);
    EXPECT_EQ(second.bytes_sent, manifest.size());

    // Next experiment, one file changed: exactly one blob goes out.
    write_local(code_.path() / "main.py", "import nni  # v2\n");
    const auto third = sync_code(*s, code_.path(), "exp2");
    EXPECT_EQ(third.blobs_uploaded, 1U);
    const std::string manifest2 = s->read_file("nni/exp2/code.manifest");
    EXPECT_EQ(third.bytes_sent, std::string("import nni  # v2\n").size() + manifest2.size());
}

TEST_F(CodeSync, ABlobWithTheWrongSizeIsReplaced) {
    auto s = open();
    sync_code(*s, code_.path(), "exp1");
    const std::string sha = tshost::storage::sha256_file(code_.path() / "main.py");
    s->write_file(tshost::storage::cas_path(sha), "truncated");
    const auto again = sync_code(*s, code_.path(), "exp1");
    EXPECT_EQ(again.blobs_uploaded, 1U);
    EXPECT_EQ(s->read_file(tshost::storage::cas_path(sha)), "import nni\n");
}

TEST_F(CodeSync, ShellFunctionMaterialisesTheTreeInThePod) {
    auto s = open();
    sync_code(*s, code_.path(), "exp1");
    TempDir pod;
    const fs::path script = pod.path() / "run.sh";
    // The export directory stands in for the pod's /tmp/mount.
    write_local(script, std::string(tshost::storage::materialize_code_function()) +
                            "\ntsh_materialize_code \"$1/nni/.cas\" \"$1/nni/exp1/code.manifest\" "
                            "\"$2\"\n");
    const fs::path dest = pod.path() / "code";
    ASSERT_EQ(run_sh("sh " + script.string() + " " + server().export_dir().string() + " " +
                     dest.string()),
              0);
    for (const char* f :
         {"main.py", "lib/model.py", "lib/copy_of_model.py", "run.sh", ".nniignore"}) {
        EXPECT_EQ(read_local(dest / f), read_local(code_.path() / f)) << f;
    }
    EXPECT_FALSE(fs::exists(dest / "data"));
    EXPECT_FALSE(fs::exists(dest / "train.log"));
    EXPECT_NE(fs::status(dest / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);
    EXPECT_EQ(fs::status(dest / "main.py").permissions() & fs::perms::owner_exec, fs::perms::none);

    // A missing blob fails the script instead of starting the trial without code.
    fs::remove(server().export_dir() /
               tshost::storage::cas_path(tshost::storage::sha256_file(code_.path() / "main.py")));
    EXPECT_NE(run_sh("sh " + script.string() + " " + server().export_dir().string() + " " +
                     (pod.path() / "code2").string() + " 2>/dev/null"),
              0);
}

TEST(MaterializeScript, IsShellcheckClean) {
    if (std::system("command -v shellcheck >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "shellcheck is not installed";
    }
    EXPECT_EQ(std::system("shellcheck -s sh " TSHOST_MATERIALIZE_SH), 0);
}
