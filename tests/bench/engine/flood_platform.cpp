// A platform for the ingestion benchmark: each submitted trial emits
// `metricsPerTrial` intermediate metrics and a final one as fast as the host
// accepts them, from the plugin's own thread, then succeeds.
#include <atomic>
#include <string>
#include <thread>
#include <tshost/plugin.hpp>
#include <vector>

namespace {

class FloodPlatform {
public:
    static constexpr tshost::Meta meta{.name = "flood", .version = "1.0.0",
                                       .description = "benchmark: floods metrics"};

    explicit FloodPlatform(const tshost::CreateArgs& args) : host_(args.host) {
        const auto key = args.config_json.find("\"metricsPerTrial\":");
        if (key != std::string_view::npos) {
            per_trial_ = std::stol(std::string(args.config_json.substr(key + 18)));
        }
    }
    ~FloodPlatform() {
        for (auto& t : threads_) {
            t.join();
        }
    }

    std::string submit(const tshost::Trial& trial) {
        threads_.emplace_back([this, id = std::string(trial.id)] { flood(id); });
        return "{}";
    }
    void cancel(std::string_view, tshost::CancelReason) {}
    std::string list_trials() { return "[]"; }
    void adopt(const tshost::Trial&) {}

private:
    void flood(const std::string& id) {
        host_.emit(TSH_EVENT_TRIAL_STATUS, id, R"({"status":"RUNNING"})");
        for (long i = 0; i <= per_trial_; ++i) {
            const bool final = i == per_trial_;
            const std::string record = R"({\"parameter_id\":0,\"trial_job_id\":\")" + id +
                                       R"(\",\"type\":\")" + (final ? "FINAL" : "PERIODICAL") +
                                       R"(\",\"sequence\":)" + std::to_string(final ? 0 : i) +
                                       R"(,\"value\":\"0.5\"})";
            host_.emit(TSH_EVENT_TRIAL_METRIC, id,
                       R"({"replica":"0","seq":)" + std::to_string(i) + R"(,"data":")" + record +
                           "\"}");
        }
        host_.emit(TSH_EVENT_TRIAL_STATUS, id, R"({"status":"SUCCEEDED"})");
    }

    tshost::Host host_;
    long per_trial_ = 10000;
    std::vector<std::thread> threads_;
};

}  // namespace

TSHOST_PLATFORM_PLUGIN(FloodPlatform)
