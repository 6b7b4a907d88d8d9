#include "app/context.hpp"

#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "app/workspace.hpp"
#include "fs/path.hpp"
#include "fs/real_path.hpp"

namespace sbx {

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

// True when both paths name the same existing object (followed through symlinks).
bool same_object(const std::string& a, const std::string& b) {
    struct stat sa{};
    struct stat sb{};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// The path the user knows a directory by. getcwd() gives the physical path; a workspace
// reached through a symlink (/tmp/ws -> /data/ws) must still be shown to the command as
// /tmp/ws (spec section 4: the grant goes to the real directory, the command sees the path it
// was given). So $PWD is used, as get_current_dir_name(3) does, when it names this very
// directory; the plan resolves it to the real one anyway. A relative option is joined to it
// only when that names the same directory as the physical join (".." differs across links).
std::string logical(const std::string& physical, const std::string* pwd) {
    if (pwd == nullptr || pwd->empty() || (*pwd)[0] != '/') return physical;
    std::string p = normalize_path(*pwd);
    if (same_object(p, physical)) return p;
    return physical;
}

// Whether `path` is `dir`, however it is spelled, linked to or bind-mounted.
bool is_directory(const std::string& path, const char* dir) {
    struct stat here {};
    struct stat there {};
    return ::stat(path.c_str(), &here) == 0 && ::stat(dir, &there) == 0 &&
           here.st_dev == there.st_dev && here.st_ino == there.st_ino;
}

// The system directory `path` is, by identity, or nullptr: none of them is a workspace unless
// the caller names it with --workspace. A harness that cds where a sandboxed run planted a link
// (ws/x -> /etc) would otherwise run the next command with /etc writable (thirty-second
// review); "/" itself is every file.
const char* system_directory(const std::string& path) {
    static constexpr const char* kSystem[] = {"/",    "/bin",   "/boot",  "/dev",    "/etc",
                                              "/lib", "/lib32", "/lib64", "/libx32", "/proc",
                                              "/run", "/sbin",  "/sys",   "/usr",    "/var"};
    for (const char* dir : kSystem)
        if (is_directory(path, dir)) return dir;
    return nullptr;
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
    const std::string physical_cwd = buf;
    h.cwd = logical(physical_cwd, h.expand.env_var("PWD"));

    auto absolute = [&](const std::string& p) {
        std::string joined = path_join(h.cwd, p);
        if (h.cwd == physical_cwd || p.empty() || p[0] == '/') return joined;
        std::string physical = path_join(physical_cwd, p);
        if (same_object(joined, physical)) return joined;
        return physical;
    };
    if (inv.workspace) {
        h.expand.workspace = absolute(*inv.workspace);
        h.workspace_source = "--workspace";
    }
    h.command_cwd = inv.cwd ? absolute(*inv.cwd) : h.cwd;
    // Both are the user's explicit choice: a typo must stop here with the option's name, not
    // silently drop the workspace's write rule or fail inside the sandbox later.
    if (inv.workspace) SBX_TRY(must_be_directory("--workspace", h.expand.workspace));
    // "/" is a workspace only when it is said so, as "/": not as ".", "/.." or "//" (the
    // thirty-second review), nor through a link or a bind mount (one an earlier sandboxed run
    // could have planted where a harness looks for its project).
    if (inv.workspace && *inv.workspace != "/" && is_directory(h.expand.workspace, "/")) {
        Error e(ErrorKind::usage,
                "--workspace: '" + *inv.workspace + "' is the root directory under another name");
        e.path = h.expand.workspace;
        e.suggestion = "pass --workspace / if every file is to be writable";
        return e;
    }
    if (inv.cwd) {
        SBX_TRY(must_be_directory("--cwd", h.command_cwd));
        // One this user cannot enter cannot be the command's either (the sandbox runs as this
        // user): said here as a usage error, not as every backend failing to start (121:
        // tenth outside review).
        if (::access(h.command_cwd.c_str(), X_OK) != 0)
            return Error(ErrorKind::usage, "--cwd: cannot enter '" + h.command_cwd + "'")
                .with_errno(errno)
                .with_path(h.command_cwd);
    }

    const auto* home = h.expand.env_var("HOME");
    if (home != nullptr && !home->empty() && (*home)[0] == '/') {
        h.expand.home = environment_path(*home);
    } else if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir) {
        h.expand.home = environment_path(pw->pw_dir);
    } else {
        h.expand.home.assign(1, '/');  // not = "/": GCC 12 -Wrestrict false positive here
    }
    if (!inv.workspace) {
        // From sbxrun's own directory, not -C's: the writable workspace is the caller's
        // decision, and -C is often the command's (an agent's "workdir": -C /etc would have
        // made /etc writable as root). app.cpp says so when -C lies outside it.
        WorkspaceChoice w = default_workspace(h.cwd, h.expand.home);
        // "/" (or /etc, /usr...) as the workspace makes every file the user may write there
        // writable in the sandbox: a service or a harness started from "/" would run its
        // commands unconfined. Only --workspace says that is meant. By identity, not by
        // spelling: a link to one (an earlier sandboxed run planted `ws/x -> /`; a harness
        // then ran from ws/x) is that directory too (thirtieth and thirty-second reviews).
        if (const char* sys = system_directory(w.path);
            sys != nullptr && (inv.action == Action::run || inv.action == Action::check ||
                               inv.action == Action::explain)) {
            const std::string spelled = w.path == sys ? std::string() : w.path + ", ";
            Error e(ErrorKind::usage, std::string("the workspace would be the system directory ") +
                                          sys + " (" + spelled + w.source +
                                          "): everything there would be writable");
            e.suggestion = std::string(
                               "run sbxrun from the project's directory, or pass --workspace "
                               "DIR (--workspace ") +
                           sys + " if that is meant)";
            return e;
        }
        h.expand.workspace = std::move(w.path);
        h.workspace_source = w.source;
    }
    const auto* tmp = h.expand.env_var("TMPDIR");
    h.expand.tmpdir = (tmp != nullptr && !tmp->empty() && (*tmp)[0] == '/') ? environment_path(*tmp)
                                                                            : std::string("/tmp");

    // sbxrun's caches are made and opened without following a symbolic link. A home reached
    // through one (/home -> var/home on Fedora Silverblue) is the system's layout, not a link a
    // command planted: without XDG_CACHE_HOME they live below the home as the kernel names it
    // (twenty-first review: every run there went without its private caches, with a warning
    // that said "Not a directory"). An XDG_CACHE_HOME through a link is still refused, and said.
    const auto* xdg_cache = h.expand.env_var("XDG_CACHE_HOME");
    if (xdg_cache != nullptr && !xdg_cache->empty() && (*xdg_cache)[0] == '/') {
        h.cache_dir = environment_path(*xdg_cache) + "/sbxrun";
    } else {
        const std::string real_home = existing_real_path(h.expand.home);
        h.cache_dir = (real_home.empty() ? h.expand.home : real_home) + "/.cache/sbxrun";
    }
    // Not $PATH: sbxrun runs bwrap on the host with all of the caller's rights, and a PATH
    // that starts in a project (an activated .venv/bin, node_modules/.bin) holds what any
    // earlier sandboxed command could have written there (fourteenth and fifteenth outside
    // reviews). These are written by root alone; another bwrap is named by its path.
    h.bwrap_search_path =
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/run/current-system/sw/bin";
    return h;
}

std::uint64_t raise_nofile_limit() {
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return 0;
    const rlim_t before = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    return static_cast<std::uint64_t>(before);
}

}  // namespace sbx
