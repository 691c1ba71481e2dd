#include "api.hpp"

#include <charconv>

#include "admission.hpp"
#include "discovery.hpp"
#include "faults.hpp"
#include "gc.hpp"
#include "resources.hpp"
#include "selectors.hpp"
#include "store.hpp"
#include "watch_hub.hpp"

namespace kemu {
namespace {

constexpr int kDefaultWatchTimeoutSeconds = 1800;

HttpResponse json_response(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
}

HttpResponse error_response(const ApiError& err) {
    HttpResponse r = json_response(err.code, to_status(err));
    r.headers = err.headers;
    return r;
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start) {
            out.emplace_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}

bool truthy(const std::map<std::string, std::string>& q, const char* key) {
    const auto it = q.find(key);
    return it != q.end() && (it->second == "1" || it->second == "true");
}

std::string query(const HttpRequest& req, const char* key) {
    const auto it = req.query.find(key);
    return it == req.query.end() ? std::string{} : it->second;
}

template <class T>
std::optional<T> parse_number(const std::string& s) {
    T v{};
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

Result<json> parse_body(const HttpRequest& req) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
        return bad_request(
            "the body of the request was in an unknown format - accepted media "
            "types include: application/json");
    }
    if (!body.is_object()) {
        return bad_request("the body of the request must be a JSON object");
    }
    return body;
}

/// Structural checks on metadata a real server's decoder would reject with 400.
std::optional<ApiError> check_metadata(const json& obj) {
    if (!obj.contains("metadata")) {
        return std::nullopt;
    }
    const json& m = obj["metadata"];
    if (!m.is_object()) {
        return bad_request("metadata must be an object");
    }
    for (const char* key : {"name", "namespace", "generateName", "resourceVersion", "uid"}) {
        if (m.contains(key) && !m[key].is_string() && !m[key].is_null()) {
            return bad_request(std::string("metadata.") + key + " must be a string");
        }
    }
    for (const char* key : {"labels", "annotations"}) {
        if (!m.contains(key) || m[key].is_null()) {
            continue;
        }
        if (!m[key].is_object()) {
            return bad_request(std::string("metadata.") + key + " must be a map of strings");
        }
        for (const auto& [k, v] : m[key].items()) {
            if (!v.is_string()) {
                return bad_request(std::string("metadata.") + key + "." + k + " must be a string");
            }
        }
    }
    if (m.contains("ownerReferences") && !m["ownerReferences"].is_array()) {
        return bad_request("metadata.ownerReferences must be a list");
    }
    return std::nullopt;
}

json list_body(const ResourceType& rt, json items, std::uint64_t rv) {
    return {{"kind", rt.list_kind()},
            {"apiVersion", rt.api_version()},
            {"metadata", {{"resourceVersion", std::to_string(rv)}}},
            {"items", std::move(items)}};
}

json namespace_object(const std::string& name) {
    return {{"kind", "Namespace"},
            {"apiVersion", "v1"},
            {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/metadata.name", name}}}}},
            {"spec", {{"finalizers", json::array({"kubernetes"})}}},
            {"status", {{"phase", "Active"}}}};
}

}  // namespace

struct Api::Target {
    const ResourceType* rt = nullptr;
    std::string ns;
    std::string name;
    std::string sub;
    bool watch_prefix = false;
    std::string verb;
};

Api::Api(Loop& loop, Store& store, WatchHub& hub, Faults& faults, const Admission& admission,
         ApiHooks hooks)
    : loop_(loop),
      store_(store),
      hub_(hub),
      faults_(faults),
      admission_(admission),
      hooks_(std::move(hooks)) {
    for (const char* ns : {"default", "kube-system", "kube-public"}) {
        ensure_namespace(ns);
    }
}

void Api::end_watch(std::uint64_t id) {
    hub_.close(id);
}

bool Api::namespace_missing(const std::string& ns) const {
    return hooks_.strict_namespaces && !ns.empty() && !store_.get(resource("namespaces"), "", ns);
}

void Api::ensure_namespace(const std::string& ns) {
    const ResourceType& rt = resource("namespaces");
    if (!ns.empty() && !store_.get(rt, "", ns)) {
        store_.create(rt, namespace_object(ns));
    }
}

HttpResponse Api::handle(const HttpRequest& req) {
    try {
        return route(req);
    } catch (const json::exception& e) {
        // Malformed input that slipped past the structural checks: a client error, not a crash.
        return error_response(bad_request(std::string("invalid object: ") + e.what()));
    }
}

HttpResponse Api::route(const HttpRequest& req) {
    auto segs = split_path(req.path);
    if (segs.empty()) {
        json paths = json::array(
            {"/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version", "/healthz"});
        return json_response(200, {{"paths", paths}});
    }
    const std::string& root = segs[0];
    if (root == "version" && segs.size() == 1) {
        return json_response(200, version_info());
    }
    if ((root == "healthz" || root == "livez" || root == "readyz") && segs.size() == 1) {
        HttpResponse r;
        r.content_type = "text/plain";
        r.body = "ok";
        return r;
    }
    if (root == "emulator") {
        return emulator_endpoint(req);
    }
    if (root == "openapi" && segs.size() >= 2) {
        if (segs[1] == "v2" && segs.size() == 2) {
            return json_response(200, openapi_v2());
        }
        if (segs[1] == "v3" && segs.size() == 2) {
            return json_response(200, openapi_v3_root());
        }
        if (segs[1] == "v3") {
            std::string gv;
            for (std::size_t i = 2; i < segs.size(); ++i) {
                gv += (i > 2 ? "/" : "") + segs[i];
            }
            if (auto doc = openapi_v3_doc(gv, admission_.schemas())) {
                return json_response(200, *doc);
            }
        }
        return error_response(path_not_found());
    }
    Target t;
    std::vector<std::string> rest;
    if (root == "api") {
        if (segs.size() == 1) {
            return json_response(200, api_versions(server_address_));
        }
        if (segs.size() == 2) {
            if (auto list = api_resource_list("", segs[1])) {
                return json_response(200, *list);
            }
            return error_response(path_not_found());
        }
        rest.assign(segs.begin() + 2, segs.end());
        segs.resize(2);
        segs.insert(segs.begin() + 1, "");  // normalise to {api, group="", version}
    } else if (root == "apis") {
        if (segs.size() == 1) {
            return json_response(200, api_group_list());
        }
        if (segs.size() == 2) {
            if (auto g = api_group(segs[1])) {
                return json_response(200, *g);
            }
            return error_response(path_not_found());
        }
        if (segs.size() == 3) {
            if (auto list = api_resource_list(segs[1], segs[2])) {
                return json_response(200, *list);
            }
            return error_response(path_not_found());
        }
        rest.assign(segs.begin() + 3, segs.end());
    } else {
        return error_response(path_not_found());
    }
    const std::string group = segs[1];
    const std::string version = segs[2];
    if (!rest.empty() && rest[0] == "watch") {
        t.watch_prefix = true;
        rest.erase(rest.begin());
    }
    if (rest.empty()) {
        return error_response(path_not_found());
    }
    std::string plural;
    std::size_t i = 0;
    if (rest[0] == "namespaces" && rest.size() >= 3) {
        t.ns = rest[1];
        plural = rest[2];
        i = 3;
    } else {
        plural = rest[0];
        i = 1;
    }
    if (i < rest.size()) {
        t.name = rest[i++];
    }
    if (i < rest.size()) {
        t.sub = rest[i++];
    }
    t.rt = find_resource(group, version, plural);
    if (t.rt == nullptr || i < rest.size()) {
        return error_response(path_not_found());
    }
    if (!t.sub.empty() && !(t.sub == "status" && t.rt->status_subresource) &&
        !(t.sub == "log" && plural == "pods")) {
        return error_response(path_not_found());
    }
    if (!t.rt->namespaced && !t.ns.empty()) {
        return error_response(path_not_found());
    }
    return resource_request(req, t);
}

HttpResponse Api::resource_request(const HttpRequest& req, Target& t) {
    const std::string& m = req.method;
    if (m == "GET") {
        t.verb = !t.name.empty()
                     ? "get"
                     : (t.watch_prefix || truthy(req.query, "watch") ? "watch" : "list");
    } else if (m == "POST" && t.name.empty()) {
        t.verb = "create";
    } else if (m == "PUT" && !t.name.empty()) {
        t.verb = "update";
    } else if (m == "PATCH" && !t.name.empty()) {
        t.verb = "patch";
    } else if (m == "DELETE") {
        t.verb = t.name.empty() ? "deletecollection" : "delete";
    } else {
        return error_response(
            method_not_allowed("the server does not allow this method on the "
                               "requested resource"));
    }
    if (!t.rt->stored && t.verb != "create") {
        return error_response(
            method_not_allowed("the server does not allow this method on the "
                               "requested resource"));
    }
    if (t.rt->namespaced && t.ns.empty() && t.verb != "list" && t.verb != "watch") {
        return error_response(path_not_found());
    }
    ++requests_total_;
    auto& by_verb = requests_["verbs"][t.verb];
    by_verb = by_verb.is_number() ? by_verb.get<std::uint64_t>() + 1 : 1;
    auto& by_resource = requests_["resources"][t.rt->plural][t.verb];
    by_resource = by_resource.is_number() ? by_resource.get<std::uint64_t>() + 1 : 1;
    const FaultDecision fault = faults_.check(t.verb, t.rt->plural, t.ns);
    HttpResponse resp;
    if (fault.error) {
        ++injected_errors_;
        resp = error_response(*fault.error);
    } else if (t.verb == "list") {
        resp = list(req, t);
    } else if (t.verb == "watch") {
        resp = watch(req, t);
    } else if (t.verb == "get") {
        resp = get(req, t);
    } else if (t.verb == "create") {
        resp = create(req, t);
    } else if (t.verb == "update") {
        resp = replace(req, t);
    } else if (t.verb == "patch") {
        resp = patch(req, t);
    } else if (t.verb == "delete") {
        resp = remove(req, t);
    } else {
        resp = remove_collection(req, t);
    }
    resp.delay_ms += fault.delay_ms;
    return resp;
}

HttpResponse Api::list(const HttpRequest& req, const Target& t) {
    auto labels = LabelSelector::parse(query(req, "labelSelector"));
    auto fields = FieldSelector::parse(query(req, "fieldSelector"));
    if (!labels || !fields) {
        return error_response(labels ? *fields.error : *labels.error);
    }
    std::size_t limit = 0;
    if (const std::string l = query(req, "limit"); !l.empty()) {
        const auto v = parse_number<std::size_t>(l);
        if (!v) {
            return error_response(bad_request("invalid limit: " + l));
        }
        limit = *v;
    }
    std::string start_after;
    std::uint64_t rv = store_.resource_version();
    if (const std::string token = query(req, "continue"); !token.empty()) {
        const auto decoded = base64_decode(token);
        const json state = decoded ? json::parse(*decoded, nullptr, false) : json();
        if (!state.is_object() || !state.contains("start") || !state["start"].is_string() ||
            !state.contains("rv") || !state["rv"].is_number_unsigned()) {
            return error_response(bad_request("invalid continue token"));
        }
        start_after = state["start"].get<std::string>();
        rv = state["rv"].get<std::uint64_t>();
    }
    json items = json::array();
    std::string last_key;
    std::size_t remaining = 0;
    for (const auto& obj : store_.list(*t.rt, t.ns)) {
        const std::string key = get_string(*obj, {"metadata", "namespace"}) + "/" +
                                get_string(*obj, {"metadata", "name"});
        if (!start_after.empty() && key <= start_after) {
            continue;
        }
        if (!labels.value.matches(labels_of(*obj)) || !fields.value.matches(*obj)) {
            continue;
        }
        if (limit != 0 && items.size() >= limit) {
            ++remaining;
            continue;
        }
        items.push_back(*obj);
        last_key = key;
    }
    json body = list_body(*t.rt, std::move(items), rv);
    if (remaining > 0) {
        body["metadata"]["continue"] = base64_encode(json{{"start", last_key}, {"rv", rv}}.dump());
        body["metadata"]["remainingItemCount"] = remaining;
    }
    return json_response(200, body);
}

HttpResponse Api::watch(const HttpRequest& req, const Target& t) {
    auto labels = LabelSelector::parse(query(req, "labelSelector"));
    auto fields = FieldSelector::parse(query(req, "fieldSelector"));
    if (!labels || !fields) {
        return error_response(labels ? *fields.error : *labels.error);
    }
    WatchSpec spec;
    spec.rt = t.rt;
    spec.ns = t.ns;
    spec.labels = std::move(labels.value);
    spec.fields = std::move(fields.value);
    spec.bookmarks = truthy(req.query, "allowWatchBookmarks");
    if (!t.name.empty()) {
        auto by_name = FieldSelector::parse("metadata.name=" + t.name);
        spec.fields = std::move(by_name.value);
    }
    const std::string rv = query(req, "resourceVersion");
    if (!rv.empty() && rv != "0") {
        const auto v = parse_number<std::uint64_t>(rv);
        if (!v) {
            return error_response(bad_request("invalid resourceVersion: " + rv));
        }
        spec.since = *v;
    }
    int timeout = kDefaultWatchTimeoutSeconds;
    if (const std::string ts = query(req, "timeoutSeconds"); !ts.empty()) {
        const auto v = parse_number<int>(ts);
        if (!v || *v < 0) {
            return error_response(bad_request("invalid timeoutSeconds: " + ts));
        }
        timeout = *v == 0 ? kDefaultWatchTimeoutSeconds : *v;
    }
    HttpResponse r;
    r.watch_timeout_seconds = timeout;
    r.start_watch = [this, spec = std::move(spec)](const std::shared_ptr<WatchSink>& sink) {
        // The snapshot is taken when the stream starts (after any injected delay), so no change
        // between the request and the stream is lost.
        std::vector<ObjPtr> snapshot;
        if (!spec.since) {
            snapshot = store_.list(*spec.rt, spec.ns);
        }
        return hub_.open(spec, sink, snapshot, store_.resource_version());
    };
    return r;
}

HttpResponse Api::get(const HttpRequest& req, const Target& t) {
    if (t.rt->plural == "namespaces") {
        const ObjPtr ns = store_.get(*t.rt, "", t.name);
        if (!ns && hooks_.strict_namespaces) {
            return error_response(not_found(*t.rt, t.name));
        }
        return json_response(200, ns ? *ns : namespace_object(t.name));
    }
    const ObjPtr obj = store_.get(*t.rt, t.ns, t.name);
    if (!obj) {
        return error_response(not_found(*t.rt, t.name));
    }
    if (t.sub == "log") {
        std::string container = query(req, "container");
        if (container.empty()) {
            const json& spec = (*obj)["spec"];
            if (spec.contains("containers") && spec["containers"].is_array() &&
                !spec["containers"].empty()) {
                container = spec["containers"][0].value("name", "");
            }
        }
        const auto log = hooks_.pod_log ? hooks_.pod_log(t.ns, t.name, container) : std::nullopt;
        if (!log) {
            return error_response(bad_request("container \"" + container + "\" in pod \"" + t.name +
                                              "\" is waiting to start"));
        }
        HttpResponse r;
        r.content_type = "text/plain";
        r.body = *log;
        return r;
    }
    return json_response(200, *obj);
}

HttpResponse Api::create(const HttpRequest& req, const Target& t) {
    auto parsed = parse_body(req);
    if (!parsed) {
        return error_response(*parsed.error);
    }
    json obj = std::move(parsed.value);
    if (t.rt->plural == "selfsubjectaccessreviews") {
        json review = {{"kind", t.rt->kind},
                       {"apiVersion", t.rt->api_version()},
                       {"metadata", {{"creationTimestamp", nullptr}}},
                       {"spec", obj.value("spec", json::object())},
                       {"status", hooks_.access.review(obj.value("spec", json::object()))}};
        return json_response(201, review);
    }
    if (t.rt->namespaced && namespace_missing(t.ns)) {
        return error_response(not_found(resource("namespaces"), t.ns));
    }
    if (auto err = check_metadata(obj)) {
        return error_response(*err);
    }
    if (obj.contains("kind") && obj["kind"] != t.rt->kind) {
        return error_response(bad_request("the kind in the data (" + obj["kind"].dump() +
                                          ") does not match the expected kind (" + t.rt->kind +
                                          ")"));
    }
    if (obj.contains("apiVersion") && obj["apiVersion"] != t.rt->api_version()) {
        return error_response(
            bad_request("the API version in the data (" + obj["apiVersion"].dump() +
                        ") does not match the expected API version (" + t.rt->api_version() + ")"));
    }
    json& meta = obj["metadata"];
    if (!meta.is_object()) {
        meta = json::object();
    }
    std::string name = meta.value("name", json("")).is_string() ? meta.value("name", "") : "";
    if (name.empty() && meta.contains("generateName") && meta["generateName"].is_string()) {
        name = meta["generateName"].get<std::string>() + random_hex(5);
        meta["name"] = name;
    }
    if (name.empty()) {
        return error_response(invalid(*t.rt, "",
                                      {{"FieldValueRequired", "metadata.name",
                                        "Required value: name or generateName is required"}}));
    }
    if (t.rt->namespaced) {
        const std::string body_ns = meta.contains("namespace") && meta["namespace"].is_string()
                                        ? meta["namespace"].get<std::string>()
                                        : "";
        if (!body_ns.empty() && body_ns != t.ns) {
            return error_response(
                bad_request("the namespace of the provided object does not match "
                            "the namespace sent on the request"));
        }
        meta["namespace"] = t.ns;
    } else {
        meta.erase("namespace");
    }
    if (!valid_object_name(name)) {
        return error_response(invalid(
            *t.rt, name,
            {{"FieldValueInvalid", "metadata.name",
              "Invalid value: \"" + name +
                  "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                  "characters, '-' or '.', and must start and end with an alphanumeric character "
                  "(e.g. 'example.com', regex used for validation is "
                  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}}));
    }
    meta.erase("resourceVersion");
    if (t.rt->plural == "pods") {
        obj["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
    } else if (t.rt->status_subresource) {
        obj.erase("status");
    }
    if (auto err = admission_.admit(*t.rt, obj, nullptr)) {
        return error_response(*err);
    }
    if (req.query.count("dryRun") != 0) {
        return json_response(201, obj);
    }
    auto created = store_.create(*t.rt, std::move(obj));
    if (!created) {
        return error_response(*created.error);
    }
    ensure_namespace(t.ns);
    return json_response(201, *created.value);
}

HttpResponse Api::replace(const HttpRequest& req, const Target& t) {
    auto parsed = parse_body(req);
    if (!parsed) {
        return error_response(*parsed.error);
    }
    json obj = std::move(parsed.value);
    if (auto err = check_metadata(obj)) {
        return error_response(*err);
    }
    json& meta = obj["metadata"];
    if (!meta.is_object()) {
        meta = json::object();
    }
    if (meta.value("name", t.name) != t.name) {
        return error_response(bad_request("the name of the object (" + meta.value("name", "") +
                                          ") does not match the name on the URL (" + t.name + ")"));
    }
    meta["name"] = t.name;
    if (t.rt->namespaced) {
        meta["namespace"] = t.ns;
    }
    const ObjPtr old = store_.get(*t.rt, t.ns, t.name);
    if (!old) {
        return error_response(not_found(*t.rt, t.name));
    }
    return admit_and_update(t, std::move(obj), old.get());
}

// The end of PUT and PATCH alike: the webhook rules (not for the status
// subresource, which the API server does not admit), then the stored update.
HttpResponse Api::admit_and_update(const Target& t, json obj, const json* old) {
    const bool status_only = t.sub == "status";
    if (!status_only) {
        if (auto err = admission_.admit(*t.rt, obj, old)) {
            return error_response(*err);
        }
    }
    auto updated = store_.update(*t.rt, std::move(obj),
                                 status_only ? Store::Scope::Status : Store::Scope::Main);
    if (!updated) {
        return error_response(*updated.error);
    }
    return json_response(200, *updated.value);
}

HttpResponse Api::patch(const HttpRequest& req, const Target& t) {
    const ObjPtr old = store_.get(*t.rt, t.ns, t.name);
    if (!old) {
        return error_response(not_found(*t.rt, t.name));
    }
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
        return error_response(bad_request("the patch is not valid JSON"));
    }
    const std::string ct = req.content_type.substr(0, req.content_type.find(';'));
    json obj = *old;
    if (ct == "application/merge-patch+json" || ct == "application/strategic-merge-patch+json") {
        if (!body.is_object()) {
            return error_response(bad_request("a merge patch must be a JSON object"));
        }
        // Strategic merge patch is applied as a JSON merge patch: none of the served kinds
        // declares list merge keys that tests rely on.
        obj.merge_patch(body);
    } else if (ct == "application/json-patch+json") {
        try {
            obj = obj.patch(body);
        } catch (const json::exception& e) {
            return error_response(ApiError{422,
                                           "Invalid",
                                           std::string("the server rejected our request due to an "
                                                       "error in our request: ") +
                                               e.what(),
                                           json::object(),
                                           {}});
        }
    } else {
        return error_response(unsupported_media_type(req.content_type));
    }
    if (!obj.is_object()) {
        return error_response(bad_request("the patched object is not an object"));
    }
    if (auto err = check_metadata(obj)) {
        return error_response(*err);
    }
    obj["metadata"]["name"] = t.name;
    if (t.rt->namespaced) {
        obj["metadata"]["namespace"] = t.ns;
    }
    return admit_and_update(t, std::move(obj), old.get());
}

namespace {

/// DeleteOptions from the body (kubectl) or the query (NNI, client libraries).
Result<Propagation> delete_policy(const HttpRequest& req, json& preconditions) {
    std::string policy = query(req, "propagationPolicy");
    if (!req.body.empty()) {
        const json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            return bad_request("DeleteOptions must be a JSON object");
        }
        if (body.contains("propagationPolicy") && body["propagationPolicy"].is_string()) {
            policy = body["propagationPolicy"].get<std::string>();
        }
        if (body.contains("preconditions") && body["preconditions"].is_object()) {
            preconditions = body["preconditions"];
        }
    }
    if (policy.empty() || policy == "Background") {
        return Propagation::Background;
    }
    if (policy == "Foreground") {
        return Propagation::Foreground;
    }
    if (policy == "Orphan") {
        return Propagation::Orphan;
    }
    return bad_request("unsupported propagationPolicy \"" + policy +
                       "\": supported values: \"Orphan\", \"Background\", \"Foreground\"");
}

}  // namespace

HttpResponse Api::remove(const HttpRequest& req, const Target& t) {
    json pre = json::object();
    auto policy = delete_policy(req, pre);
    if (!policy) {
        return error_response(*policy.error);
    }
    if (t.rt->plural == "namespaces" && !store_.get(*t.rt, "", t.name) &&
        !hooks_.strict_namespaces) {
        return json_response(200, namespace_object(t.name));
    }
    const ObjPtr existing = store_.get(*t.rt, t.ns, t.name);
    if (!existing) {
        return error_response(not_found(*t.rt, t.name));
    }
    for (const char* key : {"uid", "resourceVersion"}) {
        if (pre.contains(key) && pre[key].is_string() &&
            pre[key] != (*existing)["metadata"].value(key, "")) {
            return error_response(
                conflict(*t.rt, t.name,
                         std::string("Precondition failed: ") + key +
                             " in precondition: " + pre[key].get<std::string>() + ", " + key +
                             " in object meta: " + (*existing)["metadata"].value(key, "")));
        }
    }
    auto deleted = delete_object(store_, loop_, *t.rt, t.ns, t.name, policy.value);
    if (!deleted) {
        return error_response(*deleted.error);
    }
    return json_response(200, *deleted.value);
}

HttpResponse Api::remove_collection(const HttpRequest& req, const Target& t) {
    json pre = json::object();
    auto policy = delete_policy(req, pre);
    auto labels = LabelSelector::parse(query(req, "labelSelector"));
    auto fields = FieldSelector::parse(query(req, "fieldSelector"));
    if (!policy || !labels || !fields) {
        return error_response(!policy ? *policy.error : (labels ? *fields.error : *labels.error));
    }
    json items = json::array();
    for (const auto& obj : store_.list(*t.rt, t.ns)) {
        if (!labels.value.matches(labels_of(*obj)) || !fields.value.matches(*obj)) {
            continue;
        }
        auto deleted =
            delete_object(store_, loop_, *t.rt, get_string(*obj, {"metadata", "namespace"}),
                          get_string(*obj, {"metadata", "name"}), policy.value);
        if (deleted) {
            items.push_back(*deleted.value);
        }
    }
    return json_response(200, list_body(*t.rt, std::move(items), store_.resource_version()));
}

HttpResponse Api::emulator_endpoint(const HttpRequest& req) {
    const auto segs = split_path(req.path);
    if (segs.size() == 3 && segs[1] == "v1" && segs[2] == "faults") {
        if (req.method == "GET") {
            return json_response(200, faults_.describe());
        }
        if (req.method == "DELETE") {
            faults_.clear();
            return json_response(200, faults_.describe());
        }
        if (req.method == "POST") {
            auto body = parse_body(req);
            if (!body) {
                return error_response(*body.error);
            }
            if (auto err = faults_.add(body.value)) {
                return error_response(*err);
            }
            const json& b = body.value;
            if (b.contains("expireNextWatches") && b["expireNextWatches"].is_number_integer()) {
                hub_.expire_next(b["expireNextWatches"].get<int>());
            }
            if (b.value("dropWatches", false)) {
                hub_.drop_all();
            }
            return json_response(200, faults_.describe());
        }
        return error_response(method_not_allowed("use GET, POST or DELETE"));
    }
    if (segs.size() == 3 && segs[1] == "v1" && segs[2] == "stats" && req.method == "GET") {
        json stats = hooks_.stats ? hooks_.stats() : json::object();
        stats["resourceVersion"] = std::to_string(store_.resource_version());
        stats["watchers"] = hub_.size();
        stats["requests"] = requests_;
        stats["requests"]["total"] = requests_total_;
        stats["requests"]["injectedErrors"] = injected_errors_;
        for (const auto& rt : all_resources()) {
            if (rt.stored) {
                stats["objects"][rt.plural] = store_.count(rt);
            }
        }
        return json_response(200, stats);
    }
    return error_response(path_not_found());
}

}  // namespace kemu
