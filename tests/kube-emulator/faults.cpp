#include "faults.hpp"

#include <algorithm>

namespace kemu {

std::optional<ApiError> Faults::add(const json& body) {
    if (!body.is_object()) {
        return bad_request("fault configuration must be a JSON object");
    }
    std::vector<Rule> parsed;
    try {
        for (const auto& r : body.value("rules", json::array())) {
            Rule rule;
            rule.id = next_id_++;
            rule.verb = r.value("verb", "*");
            rule.resource = r.value("resource", "*");
            rule.ns = r.value("namespace", "");
            rule.code = r.value("code", 0);
            rule.rate = r.value("rate", 1.0);
            if (r.contains("count")) {
                rule.remaining = r.at("count").get<std::int64_t>();
            }
            if (r.contains("retryAfterSeconds")) {
                rule.retry_after = r.at("retryAfterSeconds").get<int>();
            }
            rule.latency_ms = r.value("latencyMs", 0);
            if ((rule.code != 0 && (rule.code < 400 || rule.code > 599)) || rule.rate < 0 ||
                rule.rate > 1 || rule.latency_ms < 0 || rule.latency_ms > 600000) {
                return bad_request("fault rule out of range: " + r.dump());
            }
            parsed.push_back(std::move(rule));
        }
        for (const auto& s : body.value("imagePullErrors", json::array())) {
            image_pull_errors_.push_back(s.get<std::string>());
        }
    } catch (const json::exception& e) {
        return bad_request(std::string("invalid fault configuration: ") + e.what());
    }
    rules_.insert(rules_.end(), parsed.begin(), parsed.end());
    return std::nullopt;
}

void Faults::clear() {
    rules_.clear();
    image_pull_errors_.clear();
}

json Faults::describe() const {
    json rules = json::array();
    for (const auto& r : rules_) {
        json j = {{"id", r.id},     {"verb", r.verb},   {"resource", r.resource},
                  {"code", r.code}, {"rate", r.rate},   {"latencyMs", r.latency_ms},
                  {"hits", r.hits}, {"namespace", r.ns}};
        if (r.remaining) {
            j["count"] = *r.remaining;
        }
        if (r.retry_after) {
            j["retryAfterSeconds"] = *r.retry_after;
        }
        rules.push_back(std::move(j));
    }
    return {{"rules", rules}, {"imagePullErrors", image_pull_errors_}};
}

FaultDecision Faults::check(const std::string& verb, const std::string& resource,
                            const std::string& ns) {
    FaultDecision d;
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    for (auto& r : rules_) {
        if ((r.verb != "*" && r.verb != verb) || (r.resource != "*" && r.resource != resource) ||
            (!r.ns.empty() && r.ns != ns) || (r.remaining && *r.remaining <= 0)) {
            continue;
        }
        if (r.rate < 1.0 && dist(rng_) >= r.rate) {
            continue;
        }
        ++r.hits;
        if (r.remaining) {
            --*r.remaining;
        }
        d.delay_ms += r.latency_ms;
        if (r.code != 0 && !d.error) {
            d.error = injected(r.code, r.retry_after);
        }
    }
    // Rules whose count ran out are spent; dropping them keeps describe() readable.
    std::erase_if(rules_, [](const Rule& r) { return r.remaining && *r.remaining <= 0; });
    return d;
}

bool Faults::image_pull_fails(const std::string& image) const {
    if (image.find("does-not-exist") != std::string::npos) {
        return true;
    }
    return std::any_of(image_pull_errors_.begin(), image_pull_errors_.end(),
                       [&](const std::string& s) { return image.find(s) != std::string::npos; });
}

}  // namespace kemu
