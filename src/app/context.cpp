#include "app/context.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "fs/path.hpp"

namespace sbx {

const std::string* find_env(const std::vector<std::pair<std::string, std::string>>& env,
                            const std::string& name) {
    for (const auto& [k, v] : env) {
        if (k == name) return &v;
    }
    return nullptr;
}

namespace {

Status must_be_directory(const char* option, const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        return Error(ErrorKind::usage, std::string(option) + ": cannot use '" + path + "'")
            .with_errno(errno)
            .with_path(path);
    }
    if (!S_ISDIR(st.st_mode)) {
        return Error(ErrorKind::usage,
                     std::string(option) + ": '" + path + "' is not a directory")
            .with_path(path);
    }
    return {};
}

}  // namespace

Result<HostContext> host_context(const Invocation& inv, char** envp) {
    HostContext h;
    for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        h.environ.push_back(entry);
        auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        h.expand.env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) {
        return os_error("cannot determine the current directory", errno);
    }
    h.cwd = buf;

    auto absolute = [&](const std::string& p) { return path_join(h.cwd, p); };
    h.expand.workspace = inv.workspace ? absolute(*inv.workspace) : h.cwd;
    h.command_cwd = inv.cwd ? absolute(*inv.cwd) : h.cwd;
    // Both are the user's explicit choice: a typo must stop here with the option's name, not
    // silently drop the workspace's write rule or fail inside the sandbox later.
    if (inv.workspace) SBX_TRY(must_be_directory("--workspace", h.expand.workspace));
    if (inv.cwd) SBX_TRY(must_be_directory("--cwd", h.command_cwd));

    const auto* home = find_env(h.expand.env, "HOME");
    if (home != nullptr && !home->empty() && (*home)[0] == '/') {
        h.expand.home = normalize_path(*home);
    } else if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir) {
        h.expand.home = normalize_path(pw->pw_dir);
    } else {
        h.expand.home = "/";
    }
    const auto* tmp = find_env(h.expand.env, "TMPDIR");
    h.expand.tmpdir = (tmp != nullptr && !tmp->empty() && (*tmp)[0] == '/')
                          ? normalize_path(*tmp)
                          : std::string("/tmp");

    const auto* xdg_cache = find_env(h.expand.env, "XDG_CACHE_HOME");
    h.cache_dir = (xdg_cache != nullptr && !xdg_cache->empty() && (*xdg_cache)[0] == '/')
                      ? normalize_path(*xdg_cache) + "/sbxrun"
                      : h.expand.home + "/.cache/sbxrun";
    const auto* path = find_env(h.expand.env, "PATH");
    h.path_env = path != nullptr ? *path : "/usr/local/bin:/usr/bin:/bin";
    return h;
}

}  // namespace sbx
