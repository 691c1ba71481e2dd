#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace tshost::config {
namespace {

using nlohmann::json;

std::string config_with(const std::string& search_space_line) {
    return search_space_line +
           "\ntrialCommand: t\ntrialConcurrency: 1\ntuner: {name: TPE}\n"
           "trainingService: {platform: local}\n";
}

TEST(SearchSpaceFile, ResolvesRelativeToTheConfigNotTheWorkingDirectory) {
    test::TempDir dir;
    dir.write("spaces/ss.json", R"({"lr": {"_type": "uniform", "_value": [0, 1]}})");
    std::filesystem::path cfg =
        dir.write("exp/exp.yml", config_with("searchSpaceFile: ../spaces/ss.json"));
    std::filesystem::path cwd = std::filesystem::current_path();
    std::filesystem::current_path(std::filesystem::temp_directory_path());
    ExperimentConfig c = load_config(cfg);
    std::filesystem::current_path(cwd);
    EXPECT_EQ(c.search_space_file, (dir.path() / "spaces/ss.json").string());
    EXPECT_EQ(c.search_space, json::parse(R"({"lr": {"_type": "uniform", "_value": [0, 1]}})"));
    EXPECT_EQ(c.trial_code_directory, (dir.path() / "exp").string());
}

TEST(SearchSpaceFile, AbsolutePathAndHomeExpansion) {
    test::TempDir dir;
    std::filesystem::path ss = dir.write("ss.json", R"({"a": {"_type": "choice", "_value": [1]}})");
    ExperimentConfig c =
        load_config(dir.write("exp.yml", config_with("searchSpaceFile: " + ss.string())));
    EXPECT_EQ(c.search_space_file, ss.string());

    std::string home = dir.path().string();
    setenv("HOME", home.c_str(), 1);
    ExperimentConfig h =
        load_config(dir.write("exp2.yml", config_with("searchSpaceFile: ~/ss.json")));
    EXPECT_EQ(h.search_space_file, ss.string());
}

TEST(SearchSpaceFile, LocationsPointIntoTheSearchSpaceFile) {
    test::TempDir dir;
    std::filesystem::path ss = dir.write("ss.json",
                                         "{\n  \"lr\": {\n    \"_type\": \"uniform\",\n"
                                         "    \"_value\": [0, 1]\n  }\n}\n");
    ExperimentConfig c = load_config(dir.write("exp.yml", config_with("searchSpaceFile: ss.json")));
    EXPECT_EQ(c.location_of("searchSpace.lr._value"), (SourceLocation{ss.string(), 4, 5}));
    EXPECT_EQ(c.location_of("searchSpace.lr._value[1]"), (SourceLocation{ss.string(), 4, 19}));
    // searchSpace itself is where the config names the file.
    EXPECT_EQ(c.location_of("searchSpace"), (SourceLocation{c.file, 1, 1}));
    EXPECT_EQ(c.diagnostic_at("searchSpace.lr._value", "bad").key_path, "searchSpace.lr._value");
}

TEST(SearchSpaceFile, ErrorsInsideTheFileNameTheFile) {
    test::TempDir dir;
    std::filesystem::path ss = dir.write("ss.json", "{\"lr\": [1, 2\n");
    std::vector<Diagnostic> errors =
        test::load_errors(dir, config_with("searchSpaceFile: ss.json"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].where.file, ss.string());
    EXPECT_NE(errors[0].message.find("YAML syntax error"), std::string::npos);
    EXPECT_EQ(errors[0].key_path, "searchSpace");
}

TEST(SearchSpaceFile, MustHoldAMapping) {
    test::TempDir dir;
    dir.write("ss.json", "[1, 2]");
    std::vector<Diagnostic> errors =
        test::load_errors(dir, config_with("searchSpaceFile: ss.json"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("must hold a mapping"), std::string::npos);
    EXPECT_EQ(errors[0].where.file, (dir.path() / "ss.json").string());
}

TEST(SearchSpaceFile, DirectoryIsRejectedAtTheKey) {
    test::TempDir dir;
    dir.write("spaces/x", "");
    std::vector<Diagnostic> errors = test::load_errors(dir, config_with("searchSpaceFile: spaces"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].where, (SourceLocation{(dir.path() / "exp.yml").string(), 1, 18}));
    EXPECT_NE(errors[0].message.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace tshost::config
