#include "policy/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/path.hpp"
#include "fs/placeholder.hpp"
#include "fs/read_bounded.hpp"
#include "policy/document.hpp"
#include "policy/trust.hpp"
#include "policy/validate.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The format by extension, else by content: JSON documents start with '{', TOML ones with a
// key, a [table] or a comment, never with '{'.
bool looks_like_json(std::string_view name, std::string_view text) {
    if (ends_with(name, ".json")) return true;
    if (ends_with(name, ".toml")) return false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        return c == '{';
    }
    return false;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

// Reads at most limit + 1 bytes, so an over-long file (or /dev/zero) is refused without being
// read whole. Pipes work too (--policy <(generate-policy)).
//
// A file that does not exist (ENOENT, ENOTDIR) is ErrorKind::not_found: the user named a policy
// that is not there, a policy error (125). Any other failure (EACCES, EISDIR, EIO...) is a
// usage error (125) with errno: the policy named cannot be used, nothing runs, and the rendered
// message names the path and the system's reason. (Not ErrorKind::os: that means "this host
// cannot run a sandbox" (121), which would send a harness looking for the wrong fix.)
Result<std::string> read_policy_file(const std::string& path, const PolicyLimits& limits) {
    auto fail = [&](int err) {
        Error e(err == ENOENT || err == ENOTDIR ? ErrorKind::not_found : ErrorKind::usage,
                "cannot read policy file " + path);
        return std::move(e).with_errno(err).with_path(path);
    };
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) return fail(errno);
    BoundedRead r = read_bounded(fd.get(), limits.max_file_bytes);
    if (r.sys_errno != 0) return fail(r.sys_errno);
    if (r.too_large)
        return Error(ErrorKind::limit, "policy file is larger than " +
                                           std::to_string(limits.max_file_bytes) + " bytes")
            .with_origin({path, 0, {}})
            .with_path(path);
    return std::move(r.text);
}

Result<Policy> apply_policy_text(const Policy& base, const std::string& text,
                                 const std::string& name, const ExpandContext& ctx,
                                 const PolicyLimits& limits) {
    if (text.size() > limits.max_file_bytes)
        return Error(ErrorKind::limit, "policy file is larger than " +
                                           std::to_string(limits.max_file_bytes) + " bytes")
            .with_origin({name, 0, {}});
    auto doc = looks_like_json(name, text) ? read_json_document(text, name, limits)
                                           : read_toml_document(text, name, limits);
    if (!doc) return std::move(doc).error();
    return apply_document(base, *doc, name, ctx, limits);
}

Result<Policy> load_policy_files(const std::vector<std::string>& files, const ExpandContext& ctx,
                                 const PolicyLimits& limits) {
    return load_policy_files(default_policy(ctx), files, ctx, limits);
}

Result<Policy> load_policy_files(const Policy& base, const std::vector<std::string>& files,
                                 const ExpandContext& ctx, const PolicyLimits& limits) {
    if (files.size() > limits.max_files)
        return Error(ErrorKind::limit, std::to_string(files.size()) +
                                           " policy files given (limit " +
                                           std::to_string(limits.max_files) + ")");
    Policy p = base;
    for (const auto& file : files) {
        auto text = read_policy_file(file, limits);
        if (!text) return std::move(text).error();
        auto next = apply_policy_text(p, *text, file, ctx, limits);
        if (!next) return std::move(next).error();
        p = std::move(next).value();
    }
    return p;
}

namespace {

bool is_placeholder_path(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    return fd && is_placeholder(fd.get());
}

}  // namespace

std::optional<DiscoveredPolicy> discover_policy(const ExpandContext& ctx) {
    // An explicit $SBXRUN_POLICY is used even when the file is missing, so that loading it
    // reports the mistake instead of silently running under another policy.
    if (const auto* v = ctx.env_var("SBXRUN_POLICY"); v && !v->empty())
        return DiscoveredPolicy{*v, PolicySource::environment};
    if (!ctx.workspace.empty()) {
        std::string ws = path_join(ctx.workspace, kWorkspacePolicyName);
        // An sbxrun placeholder standing there (a protected path of a concurrent run) is "no
        // workspace policy", never an empty policy file.
        if (exists(ws) && !is_placeholder_path(ws))
            return DiscoveredPolicy{ws, PolicySource::workspace};
    }
    if (std::string config = user_config_dir(ctx); !config.empty()) {
        std::string user = config + "/policy.toml";
        if (exists(user)) return DiscoveredPolicy{user, PolicySource::user};
    }
    return std::nullopt;
}

}  // namespace sbx
