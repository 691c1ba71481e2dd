#include "tshost/kube/client.hpp"

#include <atomic>
#include <exception>
#include <random>

#include "kube/credentials.hpp"
#include "kube/http_transport.hpp"
#include "kube/query.hpp"
#include "kube/rate_limiter.hpp"
#include "kube/redact.hpp"
#include "kube/retry.hpp"
#include "kube/status_error.hpp"
#include "kube/watch_parser.hpp"

namespace tshost::kube {
namespace {

using json = nlohmann::json;
using std::chrono::steady_clock;

// Guards against a server that keeps handing out continue tokens.
constexpr int kMaxListPages = 100'000;
// A watch stream that ends cleanly sooner than this without delivering anything counts as a
// failure, so a server that closes watches at once does not make us spin.
constexpr std::chrono::seconds kMinHealthyWatch{1};

const char* propagationName(PropagationPolicy p) {
    switch (p) {
        case PropagationPolicy::kBackground:
            return "Background";
        case PropagationPolicy::kForeground:
            return "Foreground";
        case PropagationPolicy::kOrphan:
            return "Orphan";
        case PropagationPolicy::kDefault:
            break;
    }
    return "";
}

std::string resourceVersionOf(const json& object) {
    auto meta = object.find("metadata");
    if (meta == object.end() || !meta->is_object()) {
        return {};
    }
    return meta->value("resourceVersion", "");
}

std::string ms(std::chrono::nanoseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// One API call, as the retry loop sees it.
struct Call {
    RequestContext ctx;
    std::string method;
    std::string url_path;  // path + query
    std::string body;
    std::string content_type;
    // May the request be repeated after an ambiguous failure (sent, no answer)?
    bool idempotent = true;
    // The answer is plain text (pod logs): returned as a JSON string, not parsed.
    bool text = false;
    // A watch's list and stream: they carry every status change, so they draw from a token
    // bucket of their own and never queue behind a burst of creates and deletes.
    bool status_stream = false;
};

// A non-idempotent call that failed ambiguously asks this whether it took effect; a value
// means "it did, here is the object".
using AmbiguityCheck = std::function<std::optional<json>()>;

struct Reply {
    json body;
    bool recovered = false;
};

}  // namespace

struct Client::Impl {
    ClientOptions opts;
    std::shared_ptr<Redactor> redactor = std::make_shared<Redactor>();
    Logger logger;
    CredentialProvider creds;
    HttpTransport transport;
    TokenBucket limiter;
    TokenBucket watch_limiter;  // for Call::status_stream
    std::atomic<std::uint64_t> seed{std::random_device{}()};

    explicit Impl(ClientOptions o)
        : opts(std::move(o)),
          logger(opts.log, redactor),
          creds(opts.config, redactor, logger, opts.exec_timeout),
          transport(TlsSettings{opts.config.ca_pem, opts.config.insecure_skip_tls_verify},
                    opts.connect_timeout, opts.max_connections, opts.user_agent),
          limiter(opts.qps, opts.burst),
          watch_limiter(opts.qps, opts.burst) {
        if (!opts.config.tls_server_name.empty()) {
            logger.log(LogLevel::kWarn,
                       "tls-server-name is not supported; verifying the server "
                       "certificate against the server URL's host");
        }
    }

    std::string ns(const ResourceRef& ref) const {
        if (ref.cluster_scoped) {
            return "";
        }
        return ref.namespace_name.empty() ? opts.config.namespace_name : ref.namespace_name;
    }

    RequestContext context(std::string verb, const ResourceRef& ref, std::string_view name) const {
        return RequestContext{std::move(verb), ref.displayName(), ref.group,
                              ns(ref),         std::string(name), opts.config.context_name};
    }

    Backoff backoff() {
        return Backoff(opts.backoff_base, opts.backoff_max, seed.fetch_add(0x9E3779B97F4A7C15ULL));
    }

    // Rate limit, credentials, one HTTP exchange.
    HttpResult sendOnce(const Call& call, const Cancellation& cancel,
                        std::function<bool(std::string_view)> on_data = {},
                        std::chrono::milliseconds idle_timeout = {}) {
        const auto wait = (call.status_stream ? watch_limiter : limiter).reserve();
        if (wait.count() > 0) {
            if (!cancel.sleepFor(wait)) {
                HttpResult cancelled;
                cancelled.outcome = HttpResult::Outcome::kCancelled;
                return cancelled;
            }
        }
        AuthMaterial auth = creds.current();
        HttpRequest req;
        req.method = call.method;
        req.url = opts.config.server + call.url_path;
        req.headers.emplace_back("Accept: application/json");
        if (!call.content_type.empty()) {
            req.headers.push_back("Content-Type: " + call.content_type);
        }
        if (!auth.authorization.empty()) {
            req.headers.push_back(auth.authorization);
        }
        req.body = call.body;
        req.client_cert_pem = std::move(auth.client_cert_pem);
        req.client_key_pem = std::move(auth.client_key_pem);
        req.timeout = on_data ? std::chrono::milliseconds{0} : opts.request_timeout;
        req.idle_timeout = idle_timeout;
        req.on_data = std::move(on_data);
        req.cancel = &cancel;
        auto started = steady_clock::now();
        HttpResult r = transport.perform(req);
        logger.log(LogLevel::kDebug,
                   call.method + " " + call.url_path + " -> " +
                       (r.outcome == HttpResult::Outcome::kOk ? std::to_string(r.status)
                                                              : "failed: " + r.error) +
                       " in " + ms(steady_clock::now() - started) +
                       (wait.count() > 0 ? " after " + ms(wait) + " rate-limited" : ""));
        return r;
    }

    KubeError failureError(const Call& call, const HttpResult& r) const {
        switch (r.outcome) {
            case HttpResult::Outcome::kCancelled:
                return requestError(call.ctx, "Cancelled", "", *redactor);
            case HttpResult::Outcome::kTimeout:
                return requestError(call.ctx, "Timeout", r.error, *redactor);
            case HttpResult::Outcome::kTlsError:
                return requestError(call.ctx, "TLSError",
                                    r.error + " (server " + opts.config.server +
                                        "; check the CA and client certificate of " +
                                        opts.config.source + ")",
                                    *redactor);
            default:
                return requestError(call.ctx, "ConnectionFailed",
                                    r.error + " (server " + opts.config.server + ")", *redactor);
        }
    }

    // The retry loop for ordinary requests. 429/5xx and connection failures are retried with
    // backoff (honouring Retry-After) until retry_deadline. A non-idempotent call is retried only
    // when the server cannot have acted on it: nothing was sent, or a 429/503 carrying
    // Retry-After (the API server's "rejected before processing" answer). After an ambiguous
    // failure, `check` decides whether it took effect.
    Reply execute(const Call& call, const Cancellation* cancel_in,
                  const AmbiguityCheck& check = {}) {
        Cancellation never;
        const Cancellation& cancel = cancel_in != nullptr ? *cancel_in : never;
        auto deadline = steady_clock::now() + opts.retry_deadline;
        Backoff bo = backoff();
        bool auth_refreshed = false;
        bool was_ambiguous = false;
        for (int attempt = 1;; ++attempt) {
            HttpResult r = sendOnce(call, cancel);
            std::optional<KubeError> error;
            bool retry = false;
            if (r.outcome == HttpResult::Outcome::kOk) {
                if (r.status >= 200 && r.status < 300 && call.text) {
                    return Reply{json(std::move(r.body)), false};
                }
                if (r.status >= 200 && r.status < 300) {
                    json body =
                        r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
                    if (body.is_discarded()) {
                        throw requestError(call.ctx, "InvalidResponse",
                                           "response is not JSON (" + r.content_type + ")",
                                           *redactor);
                    }
                    return Reply{std::move(body), false};
                }
                if (r.status == 401 && !auth_refreshed && creds.invalidate()) {
                    auth_refreshed = true;  // fresh exec/token-file credentials: one retry
                    continue;
                }
                if (r.status == 409 && was_ambiguous && check) {
                    if (auto existing = check()) {
                        return Reply{std::move(*existing), true};
                    }
                }
                error = statusError(call.ctx, r.status, r.body, *redactor);
                bool not_processed = (r.status == 429 || r.status == 503) && !r.retry_after.empty();
                retry = error->retryable() && (call.idempotent || not_processed);
            } else {
                error = failureError(call, r);
                if (r.outcome == HttpResult::Outcome::kCancelled ||
                    r.outcome == HttpResult::Outcome::kTlsError) {
                    throw *error;
                }
                bool sent = r.request_sent && r.outcome != HttpResult::Outcome::kConnectFailed;
                if (sent && !call.idempotent) {
                    was_ambiguous = true;
                    if (check) {
                        logger.log(LogLevel::kWarn, std::string(error->what()) +
                                                        "; checking whether it took effect");
                        if (auto existing = check()) {
                            return Reply{std::move(*existing), true};
                        }
                        retry = true;  // it did not: safe to send again
                    } else {
                        // generateName: nothing to look up, so the caller must decide.
                        error = KubeError(
                            error->code(), error->reason(),
                            error->message() + " (the request was sent; it may have taken effect)");
                    }
                } else {
                    retry = true;
                }
            }
            if (!retry) {
                throw *error;
            }
            auto wait = bo.next(parseRetryAfter(r.retry_after, std::chrono::system_clock::now()));
            if (steady_clock::now() + wait > deadline) {
                throw KubeError(
                    error->code(), error->reason(),
                    error->message() + " (gave up after " + std::to_string(attempt) + " attempts)");
            }
            logger.log(LogLevel::kWarn, std::string(error->what()) + "; retrying in " + ms(wait));
            if (!cancel.sleepFor(wait)) {
                throw requestError(call.ctx, "Cancelled", "", *redactor);
            }
        }
    }

    ListResult list(const ResourceRef& ref, const ListOptions& options, const Cancellation* cancel,
                    bool status_stream = false) {
        ListResult out;
        std::string token;
        for (int page = 0; page < kMaxListPages; ++page) {
            Query q;
            q.add("labelSelector", options.label_selector)
                .add("fieldSelector", options.field_selector);
            if (options.page_size > 0) {
                q.add("limit", std::to_string(options.page_size));
            }
            q.add("continue", token);
            if (token.empty()) {
                q.add("resourceVersion", options.resource_version);
            }
            Call call{context("list", ref, ""),
                      "GET",
                      collectionPath(ref, ns(ref)) + q.str(),
                      "",
                      "",
                      true};
            call.status_stream = status_stream;
            json body;
            try {
                body = execute(call, cancel).body;
            } catch (const KubeError& e) {
                if (e.code() != 410 || token.empty()) {
                    throw;
                }
                // The continue token expired mid-way: start over in one unpaginated request, as
                // client-go's pager does.
                logger.log(LogLevel::kInfo, std::string(e.what()) + "; listing without pages");
                ListOptions whole = options;
                whole.page_size = 0;
                return list(ref, whole, cancel, status_stream);
            }
            const json& meta = body.contains("metadata") ? body["metadata"] : json::object();
            if (page == 0) {
                out.resource_version = meta.value("resourceVersion", "");
            }
            if (body.contains("items") && body["items"].is_array()) {
                for (auto& item : body["items"]) {
                    out.items.push_back(std::move(item));
                }
            }
            token = meta.value("continue", "");
            if (token.empty()) {
                return out;
            }
        }
        throw requestError(context("list", ref, ""), "InvalidResponse",
                           "more than " + std::to_string(kMaxListPages) + " pages", *redactor);
    }

    void watch(const ResourceRef& ref, const WatchOptions& options, const WatchHandlers& handlers,
               const Cancellation& cancel);
};

void Client::Impl::watch(const ResourceRef& ref, const WatchOptions& options,
                         const WatchHandlers& handlers, const Cancellation& cancel) {
    std::string rv = options.resource_version;
    ListOptions list_options{options.label_selector, options.field_selector, 500, ""};
    auto relist = [&] {
        ListResult full = list(ref, list_options, &cancel, true);
        rv = full.resource_version;
        if (handlers.on_relist) {
            handlers.on_relist(full);
        }
    };
    try {
        if (rv.empty()) {
            relist();
        }
    } catch (const KubeError& e) {
        if (e.reason() == "Cancelled") {
            return;
        }
        throw;
    }

    Backoff bo = backoff();
    // When the current run of consecutive failures began (time_point{} = not failing).
    steady_clock::time_point failing_since{};
    bool auth_refreshed = false;
    // Bounded: each pass ends with the stream (server timeout, idle timeout or cancellation),
    // and consecutive failures end at retry_deadline.
    while (!cancel.cancelled()) {
        Query q;
        q.add("watch", "1")
            .add("resourceVersion", rv)
            .add("allowWatchBookmarks", "true")
            .add("timeoutSeconds", std::to_string(opts.watch_server_timeout.count()))
            .add("labelSelector", options.label_selector)
            .add("fieldSelector", options.field_selector);
        Call call{
            context("watch", ref, ""), "GET", collectionPath(ref, ns(ref)) + q.str(), "", "", true};
        call.status_stream = true;

        WatchStreamParser parser;
        bool gone = false;
        bool delivered = false;
        std::optional<KubeError> stream_error;
        std::exception_ptr handler_error;
        auto on_data = [&](std::string_view chunk) {
            // Nothing may propagate through curl's C callbacks: stash and stop the stream.
            try {
                parser.feed(chunk, [&](WatchEvent&& ev) {
                    if (gone || stream_error || handler_error) {
                        return;
                    }
                    if (ev.type == WatchEvent::Type::kError) {
                        long code = ev.object.value("code", 0L);
                        if (code == 410) {
                            gone = true;
                        } else {
                            stream_error = statusError(call.ctx, code, ev.object.dump(), *redactor);
                        }
                        return;
                    }
                    if (std::string v = resourceVersionOf(ev.object); !v.empty()) {
                        rv = std::move(v);
                    }
                    delivered = true;
                    if (ev.type != WatchEvent::Type::kBookmark && handlers.on_event) {
                        try {
                            handlers.on_event(ev);
                        } catch (...) {
                            handler_error = std::current_exception();
                        }
                    }
                });
            } catch (const KubeError& e) {
                stream_error = requestError(call.ctx, "InvalidResponse", e.what(), *redactor);
            }
            return !(gone || stream_error || handler_error);
        };
        auto started = steady_clock::now();
        HttpResult r = sendOnce(call, cancel, on_data, opts.watch_idle_timeout);
        if (handler_error) {
            std::rethrow_exception(handler_error);
        }
        if (r.outcome == HttpResult::Outcome::kCancelled || cancel.cancelled()) {
            return;
        }
        if (gone || (r.outcome == HttpResult::Outcome::kOk && r.status == 410)) {
            logger.log(LogLevel::kInfo, call.ctx.verb + " " + call.ctx.resource +
                                            ": resourceVersion " + rv +
                                            " is too old (410 Gone); re-listing");
            try {
                relist();
            } catch (const KubeError& e) {
                if (e.reason() == "Cancelled") {
                    return;
                }
                throw;
            }
            failing_since = {};
            bo.reset();
            continue;
        }
        std::optional<KubeError> error = stream_error;
        if (!error && r.outcome == HttpResult::Outcome::kOk && r.status >= 300) {
            if (r.status == 401 && !auth_refreshed && creds.invalidate()) {
                auth_refreshed = true;
                continue;
            }
            error = statusError(call.ctx, r.status, r.body, *redactor);
        } else if (!error && r.outcome != HttpResult::Outcome::kOk &&
                   r.outcome != HttpResult::Outcome::kAborted) {
            error = failureError(call, r);
        }
        if (error && !error->retryable() && error->reason() != "InvalidResponse") {
            throw *error;
        }
        bool healthy = !error && (delivered || steady_clock::now() - started >= kMinHealthyWatch);
        if (healthy) {
            failing_since = {};
            bo.reset();
            auth_refreshed = false;
            continue;  // the server ended the watch (timeoutSeconds): resume at once
        }
        auto now = steady_clock::now();
        if (failing_since == steady_clock::time_point{}) {
            failing_since = now;
        }
        std::string why = error ? error->what() : std::string("watch ended without events");
        if (now - failing_since > opts.retry_deadline) {
            throw KubeError(error ? error->code() : 0, error ? error->reason() : "ConnectionFailed",
                            why + " (watch kept failing for " + ms(now - failing_since) + ")");
        }
        auto wait = bo.next(parseRetryAfter(r.retry_after, std::chrono::system_clock::now()));
        logger.log(LogLevel::kWarn,
                   why + "; resuming from resourceVersion " + rv + " in " + ms(wait));
        if (!cancel.sleepFor(wait)) {
            return;
        }
    }
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

const ResolvedConfig& Client::config() const {
    return impl_->opts.config;
}
const std::string& Client::defaultNamespace() const {
    return impl_->opts.config.namespace_name;
}

CreateResult Client::create(const ResourceRef& ref, const json& object,
                            const Cancellation* cancel) {
    std::string name;
    if (object.contains("metadata") && object["metadata"].is_object()) {
        name = object["metadata"].value("name", "");
    }
    Call call{impl_->context("create", ref, name),
              "POST",
              collectionPath(ref, impl_->ns(ref)),
              object.dump(),
              "application/json",
              false};
    AmbiguityCheck check;
    if (!name.empty()) {
        // Did the lost create land? Only answerable for named objects (not generateName).
        check = [this, &ref, &name, cancel]() -> std::optional<json> {
            try {
                return get(ref, name, cancel);
            } catch (const KubeError& e) {
                if (e.code() == 404) {
                    return std::nullopt;
                }
                throw;
            }
        };
    }
    Reply reply = impl_->execute(call, cancel, check);
    if (reply.recovered) {
        impl_->logger.log(LogLevel::kWarn, "create " + ref.displayName() + " " + name +
                                               ": the response was lost, but the object exists");
    }
    return CreateResult{std::move(reply.body), reply.recovered};
}

json Client::get(const ResourceRef& ref, std::string_view name, const Cancellation* cancel) {
    Call call{impl_->context("get", ref, name),
              "GET",
              objectPath(ref, impl_->ns(ref), name),
              "",
              "",
              true};
    return impl_->execute(call, cancel).body;
}

ListResult Client::list(const ResourceRef& ref, const ListOptions& options,
                        const Cancellation* cancel) {
    return impl_->list(ref, options, cancel);
}

json Client::remove(const ResourceRef& ref, std::string_view name, const DeleteOptions& options,
                    const Cancellation* cancel) {
    Query q;
    q.add("propagationPolicy", propagationName(options.propagation));
    if (options.grace_period_seconds) {
        q.add("gracePeriodSeconds", std::to_string(*options.grace_period_seconds));
    }
    Call call{impl_->context("delete", ref, name),
              "DELETE",
              objectPath(ref, impl_->ns(ref), name) + q.str(),
              "",
              "",
              true};
    return impl_->execute(call, cancel).body;
}

json Client::removeCollection(const ResourceRef& ref, std::string_view label_selector,
                              const DeleteOptions& options, const Cancellation* cancel) {
    Query q;
    q.add("labelSelector", label_selector)
        .add("propagationPolicy", propagationName(options.propagation));
    if (options.grace_period_seconds) {
        q.add("gracePeriodSeconds", std::to_string(*options.grace_period_seconds));
    }
    Call call{impl_->context("deletecollection", ref, ""),
              "DELETE",
              collectionPath(ref, impl_->ns(ref)) + q.str(),
              "",
              "",
              true};
    return impl_->execute(call, cancel).body;
}

json Client::patch(const ResourceRef& ref, std::string_view name, const json& patch_body,
                   PatchType type, const Cancellation* cancel) {
    // A merge patch sets fields to values: applying it twice is harmless. A JSON patch may
    // append ("add" to "/-"), so it is not repeated after an ambiguous failure.
    bool merge = type == PatchType::kMerge;
    Call call{impl_->context("patch", ref, name),
              "PATCH",
              objectPath(ref, impl_->ns(ref), name),
              patch_body.dump(),
              merge ? "application/merge-patch+json" : "application/json-patch+json",
              merge};
    return impl_->execute(call, cancel).body;
}

json Client::serverVersion(const Cancellation* cancel) {
    Call call{impl_->context("get", ResourceRef{"", "", "version", "", true}, ""),
              "GET",
              "/version",
              "",
              "",
              true};
    return impl_->execute(call, cancel).body;
}

json Client::discover(std::string_view group, std::string_view version,
                      const Cancellation* cancel) {
    const std::string g(group);
    const std::string v(version);
    Call call{impl_->context("get", ResourceRef{g, v, "api-resources", "", true}, ""),
              "GET",
              g.empty() ? "/api/" + v : "/apis/" + g + "/" + v,
              "",
              "",
              true};
    return impl_->execute(call, cancel).body;
}

std::string Client::podLog(std::string_view pod, std::string_view container, int tail_lines,
                           const Cancellation* cancel) {
    const ResourceRef pods{"", "v1", "pods", ""};
    Query q;
    q.add("container", container).add("tailLines", std::to_string(tail_lines));
    Call call{impl_->context("get", pods, pod),
              "GET",
              objectPath(pods, impl_->ns(pods), pod) + "/log" + q.str(),
              "",
              "",
              true,
              true};
    return impl_->execute(call, cancel).body.get<std::string>();
}

void Client::watch(const ResourceRef& ref, const WatchOptions& options,
                   const WatchHandlers& handlers, const Cancellation& cancel) {
    impl_->watch(ref, options, handlers, cancel);
}

}  // namespace tshost::kube
