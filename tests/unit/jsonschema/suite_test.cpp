// Runs the official JSON-Schema-Test-Suite: every case of tests/<draft>/*.json and of its
// optional/ folder, each as its own test. Remote references to
// http://localhost:1234/ are served from the suite's remotes/ folder. Cases listed in skip.txt
// are reported as skipped with their reason.
//
// The suite folder comes from CMake (TSHOST_JSON_SCHEMA_TEST_SUITE_DIR); the environment
// variable of the same name overrides it, to run a newer checkout.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tshost::jsonschema::CompileOptions;
using tshost::jsonschema::Draft;
using tshost::jsonschema::Schema;
using tshost::jsonschema::SchemaError;

fs::path suite_root() {
    const char* env = std::getenv("TSHOST_JSON_SCHEMA_TEST_SUITE_DIR");
    return env != nullptr && *env != '\0' ? fs::path(env)
                                          : fs::path(TSHOST_JSON_SCHEMA_TEST_SUITE_DIR);
}

struct DraftDir {
    const char* name;
    Draft draft;
};

const DraftDir kDrafts[] = {
    {"draft2020-12", Draft::Draft2020_12},
    {"draft2019-09", Draft::Draft2019_09},
    {"draft7", Draft::Draft7},
    {"draft6", Draft::Draft6},
    {"draft4", Draft::Draft4},
};

struct SuiteCase {
    std::string draft_dir;
    Draft draft = Draft::Draft2020_12;
    std::string file;  // relative to tests/<draft>/
    std::string group;
    std::string description;
    json schema;
    json data;
    bool valid = false;
    bool format_assertion = false;
    std::string name;
};

json read_json(const fs::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

// Lines of skip.txt: "draft/file[: group description[ :: test description]]  # reason".
std::map<std::string, std::string> load_skip_list() {
    std::map<std::string, std::string> skips;
    std::ifstream in(TSHOST_JSONSCHEMA_SKIP_LIST);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        auto hash = line.find("  # ");
        std::string key = line.substr(0, hash);
        while (!key.empty() && key.back() == ' ') {
            key.pop_back();
        }
        skips.emplace(key,
                      hash == std::string::npos ? "listed in skip.txt" : line.substr(hash + 4));
    }
    return skips;
}

std::string skip_reason(const SuiteCase& c) {
    static const std::map<std::string, std::string> skips = load_skip_list();
    const std::string file = c.draft_dir + "/" + c.file;
    for (const std::string& key :
         {file + ": " + c.group + " :: " + c.description, file + ": " + c.group, file}) {
        if (auto it = skips.find(key); it != skips.end()) {
            return it->second;
        }
    }
    return {};
}

std::string identifier(const std::string& text) {
    std::string out;
    for (char c : text) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum) {
            out.push_back(c);
        } else if (!out.empty() && out.back() != '_') {
            out.push_back('_');
        }
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    return out.empty() ? "case" : out;
}

std::vector<SuiteCase> load_draft(const DraftDir& draft) {
    std::vector<SuiteCase> cases;
    const fs::path dir = suite_root() / "tests" / draft.name;
    if (!fs::is_directory(dir)) {
        return cases;
    }
    // Required files, then optional/ ones (what is not supported there is in skip.txt).
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            files.push_back(fs::relative(entry.path(), dir).generic_string());
        }
    }
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
        return std::pair(a.starts_with("optional/"), a) < std::pair(b.starts_with("optional/"), b);
    });
    std::map<std::string, int> used_names;
    for (const std::string& file : files) {
        // The optional format tests expect format to be asserted.
        const bool format_file = file.starts_with("optional/format");
        for (const json& group : read_json(dir / file)) {
            for (const json& test : group.at("tests")) {
                SuiteCase& c = cases.emplace_back();
                c.draft_dir = draft.name;
                c.draft = draft.draft;
                c.file = file;
                c.group = group.at("description").get<std::string>();
                c.description = test.at("description").get<std::string>();
                c.schema = group.at("schema");
                c.data = test.at("data");
                c.valid = test.at("valid").get<bool>();
                c.format_assertion = format_file;
                std::string stem = file.substr(0, file.size() - 5);
                c.name = identifier(stem) + "__" + identifier(c.group) + "__" +
                         identifier(c.description);
                if (int n = used_names[c.name]++; n > 0) {
                    c.name += "_" + std::to_string(n + 1);
                }
            }
        }
    }
    return cases;
}

std::optional<json> serve_remote(const std::string& uri) {
    constexpr std::string_view kPrefix = "http://localhost:1234/";
    if (!uri.starts_with(kPrefix)) {
        return std::nullopt;
    }
    const fs::path path = suite_root() / "remotes" / uri.substr(kPrefix.size());
    if (!fs::is_regular_file(path)) {
        return std::nullopt;
    }
    return read_json(path);
}

class SuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SuiteTest, Case) {
    const SuiteCase& c = GetParam();
    if (std::string reason = skip_reason(c); !reason.empty()) {
        GTEST_SKIP() << reason;
    }
    SCOPED_TRACE(c.draft_dir + "/" + c.file + ": " + c.group + " :: " + c.description +
                 "\nschema: " + c.schema.dump() + "\ndata: " + c.data.dump());
    CompileOptions options;
    options.default_draft = c.draft;
    options.format_assertion = c.format_assertion;
    options.resolver = serve_remote;
    try {
        Schema schema = Schema::compile(c.schema, options);
        const bool fast = schema.is_valid(c.data);
        const auto errors = schema.validate(c.data);
        EXPECT_EQ(fast, c.valid) << "is_valid() disagrees with the suite";
        EXPECT_EQ(errors.empty(), c.valid)
            << "validate() disagrees with the suite"
            << (errors.empty() ? "" : "; first error: " + to_string(errors.front()));
        for (const auto& error : errors) {
            EXPECT_FALSE(error.message.empty());
        }
    } catch (const SchemaError& e) {
        FAIL() << "schema rejected: " << e.what();
    }
}

std::string case_name(const ::testing::TestParamInfo<SuiteCase>& info) {
    return info.param.name;
}

// Per draft: the cases, and a test that says when the installed suite lacks the draft (the
// Debian package, version 2.0.0, stops at draft 7) instead of passing with no cases.
#define TSHOST_SUITE_DRAFT(ident, index)                                                        \
    INSTANTIATE_TEST_SUITE_P(ident, SuiteTest, ::testing::ValuesIn(load_draft(kDrafts[index])), \
                             case_name);                                                        \
    TEST(SuiteDraft, ident) {                                                                   \
        const fs::path dir = suite_root() / "tests" / kDrafts[index].name;                      \
        if (!fs::is_directory(dir)) {                                                           \
            GTEST_SKIP() << kDrafts[index].name << " is not in the suite at " << suite_root();  \
        }                                                                                       \
        EXPECT_FALSE(load_draft(kDrafts[index]).empty()) << "no cases found in " << dir;        \
    }

TSHOST_SUITE_DRAFT(Draft2020_12, 0)
TSHOST_SUITE_DRAFT(Draft2019_09, 1)
TSHOST_SUITE_DRAFT(Draft7, 2)
TSHOST_SUITE_DRAFT(Draft6, 3)
TSHOST_SUITE_DRAFT(Draft4, 4)
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SuiteTest);

}  // namespace
