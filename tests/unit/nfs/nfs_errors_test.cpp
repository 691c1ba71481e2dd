// The failures users meet first, and the messages that tell them what to change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nfs_fixture.hpp"

using namespace nfstest;
using testing::HasSubstr;
using tshost::plugin::PluginError;

namespace {

template <class F>
PluginError error_of(F&& f) {
    try {
        f();
    } catch (const PluginError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a PluginError";
    return PluginError(TSH_OK, "");
}

class NfsErrors : public NfsTest {};

class NfsRootSquash : public NfsTest {
  protected:
    tshost::test::NfsServerOptions server_options() const override {
        return {.root_squash = true, .export_owner = kOwner};
    }
    static constexpr uid_t kOwner = 4321;
};

}  // namespace

TEST_F(NfsErrors, UnknownExportNamesTheExportAndShowmount) {
    const std::string config = R"({"server":"127.0.0.1","path":"/nope","retries":0,"port":)" +
                               std::to_string(server().nfs_port()) + R"(,"mountPort":)" +
                               std::to_string(server().mount_port()) + "}";
    auto s = open_storage(config);  // create does not connect
    const PluginError e = error_of([&] { s->write_file("x", "y"); });
    EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
    EXPECT_THAT(e.what(), HasSubstr("mount: export /nope not found on 127.0.0.1 — check the "
                                    "server's exports (showmount -e 127.0.0.1)"));
}

TEST_F(NfsErrors, ClosedPortIsTransientAndNamesTheAddress) {
    const int port = server().nfs_port();
    server().stop();
    const std::string config = R"({"server":"127.0.0.1","path":"/export","retries":1,"port":)" +
                               std::to_string(port) + R"(,"mountPort":)" + std::to_string(port) +
                               "}";
    auto s = open_storage(config);
    const PluginError e = error_of([&] { s->stat("x"); });
    EXPECT_EQ(e.status(), TSH_ERR_TRANSIENT);
    EXPECT_THAT(e.what(),
                HasSubstr("cannot reach the NFS server 127.0.0.1 port " + std::to_string(port) +
                          " (Connection refused) after 2 attempts"));
}

TEST_F(NfsRootSquash, RootIsSquashedAndTheMessageSaysWhatToChange) {
    auto s = open(3, R"("uid":0,"gid":0,"retries":0)");
    const PluginError e = error_of([&] { s->write_file("nni/x", "y"); });
    EXPECT_EQ(e.status(), TSH_ERR_PERMISSION);
    EXPECT_THAT(e.what(), HasSubstr("permission denied for uid 0, gid 0"));
    EXPECT_THAT(e.what(), HasSubstr("no_root_squash (ganesha: Squash = No_Root_Squash)"));
    EXPECT_THAT(e.what(), HasSubstr("set \"uid\"/\"gid\""));
}

TEST_F(NfsRootSquash, PresentingTheOwnersUidWorks) {
    auto s = open(3, R"("uid":4321,"gid":4321)");
    s->write_file("nni/x", "y");
    EXPECT_EQ(read_local(server().export_dir() / "nni/x"), "y");
    struct stat st {};
    ASSERT_EQ(::stat((server().export_dir() / "nni/x").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kOwner);
}
