// Hostile input: load_config either loads or throws ConfigError; nothing else, no crash.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "temp_dir.hpp"

namespace tshost::config {
namespace {

// Loads and returns how it ended: "ok", "config error", or what else was thrown.
std::string outcome(const test::TempDir& dir, const std::string& text) {
    try {
        ExperimentConfig c = load_config(dir.write("fuzz.yml", text));
        (void)c.to_json().dump();  // the model must serialise, whatever came in
        return "ok";
    } catch (const ConfigError& e) {
        EXPECT_FALSE(e.diagnostics().empty());
        return "config error";
    } catch (const std::exception& e) {
        return std::string("other exception: ") + e.what();
    } catch (...) {
        return "unknown exception";
    }
}

std::string read(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Fuzz, RandomBytes) {
    test::TempDir dir;
    std::mt19937 rng(12345);
    for (int i = 0; i < 300; ++i) {
        std::string text(rng() % 400, '\0');
        for (char& c : text) {
            c = static_cast<char>(rng() % 256);
        }
        std::string result = outcome(dir, text);
        EXPECT_TRUE(result == "ok" || result == "config error") << result;
    }
}

TEST(Fuzz, MutatedExamples) {
    test::TempDir dir;
    dir.write("search_space.json", R"({"x": {"_type": "uniform", "_value": [0, 1]}})");
    dir.write("search_space_ddp.yml", "x: {_type: uniform, _value: [0, 1]}\n");
    std::mt19937 rng(777);
    const char* alphabet = " \n\t:-{}[],'\"#&*!|>%@`?0123456789abcxyzTPE.~";
    for (const char* name :
         {"local.yml", "frameworkcontroller-nfs.v1.yml", "frameworkcontroller-nfs.v2.yml",
          "kubeflow-tf-nfs.v1.yml", "kubeflow-pytorch-azure.v2.yml"}) {
        std::string original = read(std::filesystem::path(TSHOST_CONFIG_EXAMPLES) / name);
        ASSERT_FALSE(original.empty()) << name;
        for (int i = 0; i < 120; ++i) {
            std::string text = original;
            for (unsigned edits = 1 + rng() % 4; edits > 0; --edits) {
                std::size_t at = rng() % text.size();
                switch (rng() % 3) {
                    case 0:
                        text[at] = alphabet[rng() % std::strlen(alphabet)];
                        break;
                    case 1:
                        text.insert(at, 1, alphabet[rng() % std::strlen(alphabet)]);
                        break;
                    default:
                        text.erase(at, 1 + rng() % 8);
                }
            }
            std::string result = outcome(dir, text);
            EXPECT_TRUE(result == "ok" || result == "config error") << name << ": " << result;
        }
    }
}

TEST(Fuzz, DeepNesting) {
    test::TempDir dir;
    for (int depth : {150, 1000, 20000}) {
        EXPECT_EQ(outcome(dir, "searchSpace: " + std::string(depth, '[')), "config error") << depth;
        std::string flow_maps;
        for (int i = 0; i < depth; ++i) {
            flow_maps += "{a: ";
        }
        EXPECT_EQ(outcome(dir, "searchSpace: " + flow_maps + "1" + std::string(depth, '}')),
                  "config error")
            << depth;
    }
    std::string block;
    for (int i = 0; i < 300; ++i) {
        block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    }
    EXPECT_EQ(outcome(dir, block), "config error");
}

TEST(Fuzz, AliasBomb) {
    test::TempDir dir;
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; ++c) {
        std::string prev(1, static_cast<char>(c - 1));
        text += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
                prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
                ", *" + prev + "]\n";
    }
    std::vector<Diagnostic> errors = test::load_errors(dir, text);
    ASSERT_FALSE(errors.empty());
    EXPECT_NE(errors[0].message.find("values"), std::string::npos) << errors[0].to_string();
}

TEST(Fuzz, HugeAndOddNumbers) {
    test::TempDir dir;
    for (const char* value : {"1e999", "-1e999", "99999999999999999999999", "-99999999999999999999",
                              "18446744073709551615", "9223372036854775808", ".inf", "-.inf",
                              ".nan", "0x7fffffffffffffff", "0o777", "1.5", "-0"}) {
        for (const char* key : {"trialConcurrency", "maxTrialNumber", "maxTrialDuration",
                                "trialGpuNumber", "port", "maxTrialRetries", "tunerGpuIndices"}) {
            std::string text = test::minimal_v2();
            if (std::string(key) == "trialConcurrency") {
                text.replace(text.find("trialConcurrency: 1"), 19,
                             "trialConcurrency: " + std::string(value));
            } else {
                text += std::string(key) + ": " + value + "\n";
            }
            std::string result = outcome(dir, text);
            EXPECT_TRUE(result == "ok" || result == "config error")
                << key << "=" << value << ": " << result;
        }
    }
}

TEST(Fuzz, WrongTypesEverywhere) {
    test::TempDir dir;
    const char* keys[] = {"experimentName",
                          "searchSpace",
                          "trialCommand",
                          "trialCodeDirectory",
                          "trialConcurrency",
                          "trialGpuNumber",
                          "maxExperimentDuration",
                          "maxTrialNumber",
                          "maxTrialDuration",
                          "nniManagerIp",
                          "useAnnotation",
                          "debug",
                          "logLevel",
                          "experimentWorkingDirectory",
                          "tunerGpuIndices",
                          "tuner",
                          "assessor",
                          "advisor",
                          "trainingService",
                          "port",
                          "maxTrialRetries",
                          "versionCheck",
                          "logCollection",
                          "experimentType"};
    const char* values[] = {"[1, 2]", "{a: 1}", "text", "3", "-3", "2.5", "true", "null", "\"\""};
    for (const char* key : keys) {
        for (const char* value : values) {
            std::string base = test::minimal_v2();
            std::string text;
            std::istringstream lines(base);
            for (std::string line; std::getline(lines, line);) {
                if (!line.starts_with(std::string(key) + ":")) {
                    text += line + "\n";
                }
            }
            text += std::string(key) + ": " + value + "\n";
            std::string result = outcome(dir, text);
            EXPECT_TRUE(result == "ok" || result == "config error")
                << key << ": " << value << " → " << result;
        }
    }
    // Inside sections too.
    for (const char* value : {"[1]", "{a: 1}", "x", "-1", "null", "true"}) {
        for (const char* inner : {"storage", "taskRoles", "taskRoles[0]", "memorySize",
                                  "frameworkAttemptCompletionPolicy", "privateRegistryAuthPath",
                                  "configPath", "platform", "storageType"}) {
            std::string v = value;
            std::string ts =
                std::string(inner) == "storage"
                    ? "{platform: frameworkcontroller, storage: " + v + "}"
                : std::string(inner) == "taskRoles"
                    ? "{platform: frameworkcontroller, taskRoles: " + v +
                          ", storage: {storageType: nfs}}"
                : std::string(inner) == "platform" ? "{platform: " + v + "}"
                : std::string(inner) == "storageType"
                    ? "{platform: frameworkcontroller, storage: {storageType: " + v + "}}"
                : std::string(inner) == "configPath"
                    ? "{platform: frameworkcontroller, configPath: " + v +
                          ", storage: {storageType: nfs}}"
                : std::string(inner) == "taskRoles[0]"
                    ? "{platform: frameworkcontroller, taskRoles: [" + v +
                          "], storage: {storageType: nfs}}"
                    : "{platform: frameworkcontroller, storage: {storageType: nfs}, "
                      "taskRoles: [{" +
                          std::string(inner) + ": " + v + "}]}";
            std::string text = test::minimal_v2();
            text.replace(text.find("{platform: local}"), 17, ts);
            std::string result = outcome(dir, text);
            EXPECT_TRUE(result == "ok" || result == "config error")
                << inner << ": " << value << " → " << result;
        }
    }
}

TEST(Fuzz, InvalidUtf8IsAConfigError) {
    test::TempDir dir;
    for (std::string bad : {"\xff", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\xaf"}) {
        std::vector<Diagnostic> errors =
            test::load_errors(dir, test::minimal_v2("experimentName: x" + bad + "y\n"));
        ASSERT_FALSE(errors.empty());
        bool utf8 = false;
        for (const Diagnostic& d : errors) {
            utf8 = utf8 || d.message.find("UTF-8") != std::string::npos;
        }
        EXPECT_TRUE(utf8) << errors[0].to_string();
    }
    EXPECT_TRUE(test::load_errors(
                    dir, test::minimal_v2("experimentName: \"caf\xc3\xa9 \xf0\x9f\x9a\x80\"\n"))
                    .empty());
}

}  // namespace
}  // namespace tshost::config
