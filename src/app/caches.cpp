#include "app/caches.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "app/own_files.hpp"
#include "app/write_roots.hpp"
#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "policy/caches.hpp"
#include "util/name_hash.hpp"
#include "util/open_no_symlinks.hpp"

namespace sbx {
namespace {

// "ws-<base name>-<hash>": the base name so that a user can tell which directory is which,
// kept to letters, digits, '.', '_' and '-' and 32 bytes.
std::string workspace_dir_name(const std::string& workspace) {
    std::string base;
    for (char c : path_base_name(workspace)) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        base += keep ? c : '_';
        if (base.size() == 32) break;
    }
    if (base.empty() || base == "." || base == "..") base = "root";
    return "ws-" + base + "-" + name_hash(workspace);
}

// The workspace as the kernel names it, so that a link to it shares its caches.
std::string canonical(const std::string& path) {
    std::string real = existing_real_path(path);
    return real.empty() ? path : real;
}

}  // namespace

CacheSetup prepare_caches(const FilesystemPolicy& fs, const HostContext& host, bool create) {
    CacheSetup c;
    for (const auto& rule : fs.caches) c.tools.push_back(rule.tool);
    if (c.tools.empty()) return c;
    // host.cache_dir is $XDG_CACHE_HOME/sbxrun (or ~/.cache/sbxrun): its parent is ours too.
    if (host.cache_dir.empty() || host.cache_dir[0] != '/' || host.expand.home == "/") {
        c.unavailable = "no cache directory (no home directory and no $XDG_CACHE_HOME)";
        c.no_home = true;
        return c;
    }
    const std::string base = path_join(path_parent(host.cache_dir), "sbxrun-caches");
    c.dir = path_join(base, fs.cache_scope.value == CacheScope::user
                                ? std::string("user")
                                : workspace_dir_name(canonical(host.expand.workspace)));
    for (const auto& name : c.tools) {
        const CacheTool* tool = find_cache_tool(name);
        if (!tool) continue;  // validated with the policy
        for (const auto& v : tool->variables) {
            std::string value = path_join(c.dir, std::string(tool->name));
            if (!v.subdir.empty()) value = path_join(value, std::string(v.subdir));
            c.env.emplace_back(std::string(v.name), std::move(value));
        }
    }
    // $XDG_CACHE_HOME (or ~/.cache), sbxrun-caches and the scope's directory may be made; a
    // missing home above them is not ours to make.
    errno = 0;
    UniqueFd dir = make_dir_no_symlinks(c.dir.c_str(), create ? 3 : 0, 0700);
    if (!dir) {
        if (errno == ENOENT && !create) return c;  // made by the first run
        c.no_home = errno == ENOENT;
        c.unavailable = c.dir + ": " + std::strerror(errno != 0 ? errno : EINVAL);
        // The walk follows no symbolic link (a planted one would move the cache elsewhere).
        const int err = errno;
        if ((err == ENOTDIR || err == ELOOP) && existing_real_path(host.expand.home).empty())
            c.unavailable = c.dir + ": HOME (" + host.expand.home + ") leads to no directory";
        else if (err == ENOTDIR || err == ELOOP)
            c.unavailable +=
                " (a symbolic link on the way, such as a home directory reached "
                "through one: set XDG_CACHE_HOME to a real directory)";
        return c;
    }
    // The directory and sbxrun-caches above it: whoever can write sbxrun-caches can rename
    // one workspace's cache to another's name, and the second workspace's runs would use
    // what was put there for the first (ninth outside review: a shared $XDG_CACHE_HOME).
    UniqueFd base_fd = open_no_symlinks(AT_FDCWD, base.c_str(), O_PATH | O_DIRECTORY);
    for (const auto& [fd, path] : {std::pair{dir.get(), c.dir}, std::pair{base_fd.get(), base}}) {
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_uid != ::geteuid() ||
            (st.st_mode & 022) != 0) {
            c.unavailable = path + " is not the user's own or others can write it";
            return c;
        }
    }
    c.ready = true;
    return c;
}

std::vector<PathRule> cache_roots(const CacheSetup& caches) {
    if (!caches.ready) return {};
    PathRule r;
    r.text = caches.dir;
    r.path = caches.dir;
    r.origin = Origin{{}, 0, "filesystem.caches"};
    return {std::move(r)};
}

std::vector<PathRule> cache_places(const CacheSetup& caches, const HostContext& host) {
    std::vector<PathRule> rules;
    auto add = [&](const std::string& path, const std::string& why) {
        PathRule r;
        r.text = path;
        r.path = path;
        r.origin = Origin{{}, 0, why};
        rules.push_back(std::move(r));
    };
    // Whether or not this run has a private cache: a run that made its own unusable (chmod
    // 777 under bwrap, or ~/.cache replaced by a link) must not thereby make the next run
    // leave the others', and the tools' own, writable (tenth outside review). So these follow
    // the places, never the private cache's state; and the other workspaces' caches are
    // protected also when this run lists no tool.
    const std::string& home = host.expand.home;
    if (home.empty() || home == "/" || host.cache_dir.empty() || host.cache_dir[0] != '/')
        return rules;
    const std::string xdg = path_parent(host.cache_dir);
    add(path_join(xdg, "sbxrun-caches"), "sbxrun: the private caches of other workspaces");
    // The tools' own caches: the command could otherwise plant what the user's next install
    // outside the sandbox runs (ninth outside review). The tools use the private cache instead.
    for (const auto& name : caches.tools) {
        const CacheTool* tool = find_cache_tool(name);
        if (!tool) continue;
        for (std::string_view place : tool->places) {
            std::string path;
            if (place.starts_with("~/"))
                path = path_join(home, place.substr(2));
            else if (place.starts_with("@cache/"))
                path = path_join(xdg, place.substr(7));
            if (!path.empty())
                add(path,
                    "sbxrun: " + std::string(tool->name) + "'s own cache (filesystem.caches)");
        }
    }
    return rules;
}

std::vector<PathRule> cache_protections(const CacheSetup& caches, const FilesystemPolicy& fs,
                                        const HostContext& host) {
    // Only where a writable root holds them ($HOME is the workspace, or lies in ${tmpdir}):
    // anywhere else they are read-only already.
    // Compared as resolved too: $HOME or ${tmpdir} through a link (fourteenth review).
    std::vector<PathRule> rules = cache_places(caches, host);
    const WriteRoots write_roots(fs.write);
    std::erase_if(rules, [&](const PathRule& r) { return !write_roots.cover(r.path); });
    return rules;
}

}  // namespace sbx
