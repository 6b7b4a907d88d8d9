#include "backend/bwrap_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <sstream>

#include "util/name_hash.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

constexpr const char* kCacheMagic = "sbxrun-bwrap-cache 1";
constexpr std::size_t kMaxCacheBytes = 256 * 1024;
constexpr int kProbeTimeoutMs = 2000;

struct Identity {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_s = 0, mtime_ns = 0;
    bool setuid = false;

    std::string key(const std::string& path) const {
        std::ostringstream s;
        s << "key " << dev << ' ' << ino << ' ' << size << ' ' << mtime_s << ' ' << mtime_ns << ' '
          << path;
        return s.str();
    }
};

// bwrap's help always lists --ro-bind; anything else (a wrapper, /bin/true) is not bubblewrap.
bool looks_like_bwrap_help(const std::string& help) {
    return help.find("\n    --ro-bind ") != std::string::npos ||
           help.find("\n  --ro-bind ") != std::string::npos;
}

// The cache directory, reached (and with `create`, made, mode 0700) one component at a time
// without following a symlink, and only if it is ours and only we can write it. A command
// sandboxed with a writable $HOME could otherwise plant a link there that the next sbxrun
// follows to write outside every writable root, or a directory whose files lie about bwrap's
// features (found by an outside review; the directory is also protected during runs).
UniqueFd open_cache_dir(const std::string& dir, bool create) {
    // Only the last two components are ever made ($XDG_CACHE_HOME or ~/.cache, and sbxrun):
    // a missing $HOME is not ours to create (found by an outside review: HOME=/nonexistent
    // left /nonexistent/.cache/sbxrun behind, made by root).
    UniqueFd cur = make_dir_no_symlinks(dir.c_str(), create ? 2 : 0, 0700);
    struct stat st {};
    if (!cur || ::fstat(cur.get(), &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
        return UniqueFd();
    return cur;
}

// The cached help text for `key`, or "" when the cache is absent, foreign, corrupt or stale.
std::string read_cache(const std::string& dir, const std::string& name, const std::string& key,
                       std::string& version) {
    UniqueFd dfd = open_cache_dir(dir, false);
    if (!dfd) return {};
    UniqueFd fd(::openat(dfd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return {};
    struct stat st {};
    // Ours only: a cache someone else can write could lie about the binary's features.
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 022) != 0 || static_cast<std::size_t>(st.st_size) > kMaxCacheBytes) {
        return {};
    }
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n <= 0) return {};
        got += static_cast<std::size_t>(n);
    }
    std::istringstream in(text);
    std::string magic, k, v;
    if (!std::getline(in, magic) || magic != kCacheMagic) return {};
    if (!std::getline(in, k) || k != key) return {};
    if (!std::getline(in, v) || v.rfind("version ", 0) != 0) return {};
    version = v.substr(8);
    std::string help((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!looks_like_bwrap_help(help)) return {};
    return help;
}

// Best effort: a cache that cannot be written only costs a probe next time.
void write_cache(const std::string& dir, const std::string& name, const std::string& key,
                 const std::string& version, const std::string& help) {
    UniqueFd dfd = open_cache_dir(dir, true);
    if (!dfd) return;
    // O_PATH descriptors do not serve for *at() creation everywhere: reopen it readable.
    UniqueFd d(::openat(dfd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d) return;
    std::string tmp = name + ".tmp" + std::to_string(::getpid());
    UniqueFd fd(
        ::openat(d.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return;
    std::string text = std::string(kCacheMagic) + "\n" + key + "\nversion " + version + "\n" + help;
    bool ok = ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
    fd.reset();
    if (!ok || ::renameat(d.get(), tmp.c_str(), d.get(), name.c_str()) != 0)
        ::unlinkat(d.get(), tmp.c_str(), 0);
}

bool executable_file(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_executable(const std::string& name_or_path, const std::string& path_env,
                            const ExecutablePredicate& skip, std::vector<std::string>* skipped) {
    if (name_or_path.empty()) return {};
    auto usable = [&](const std::string& cand) {
        if (!executable_file(cand)) return false;
        if (!skip) return true;
        char real[PATH_MAX];
        const std::string r = ::realpath(cand.c_str(), real) ? std::string(real) : cand;
        if (!skip(r)) return true;
        if (skipped != nullptr) skipped->push_back(r);
        return false;
    };
    if (name_or_path.find('/') != std::string::npos) {
        return usable(name_or_path) ? name_or_path : std::string();
    }
    std::size_t start = 0;
    while (start <= path_env.size()) {
        std::size_t end = path_env.find(':', start);
        if (end == std::string::npos) end = path_env.size();
        std::string dir = path_env.substr(start, end - start);
        if (!dir.empty() && dir[0] == '/') {  // relative PATH entries are ignored on purpose
            std::string cand = dir + "/" + name_or_path;
            if (usable(cand)) return cand;
        }
        start = end + 1;
    }
    return {};
}

void parse_bwrap_help(const std::string& help_text, BwrapInfo& info) {
    std::set<std::string> opts;
    std::istringstream in(help_text);
    std::string line;
    while (std::getline(in, line)) {
        std::size_t i = line.find_first_not_of(" \t");
        if (i == std::string::npos || line.compare(i, 2, "--") != 0) continue;
        std::size_t j = line.find_first_of(" \t", i);
        opts.insert(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
    }
    auto has = [&](const char* o) { return opts.count(o) != 0; };
    info.bind_fd = has("--bind-fd") && has("--ro-bind-fd");
    info.json_status_fd = has("--json-status-fd");
    info.disable_userns = has("--disable-userns");
    info.args_fd = has("--args");
    info.perms = has("--perms");
    info.size = has("--size");
    info.chmod = has("--chmod");
    info.clearenv = has("--clearenv");
    info.die_with_parent = has("--die-with-parent");
    info.new_session = has("--new-session");
    info.as_pid_1 = has("--as-pid-1");
    info.cap_add = has("--cap-add");
}

std::string parse_bwrap_version(const std::string& version_text) {
    std::istringstream in(version_text);
    std::string word, found;
    while (in >> word) {
        if (!word.empty() && word[0] >= '0' && word[0] <= '9' &&
            word.find('.') != std::string::npos) {
            found = word;
        }
    }
    return found;
}

Result<Captured> run_bounded(const std::vector<std::string>& argv, int timeout_ms,
                             std::size_t max_bytes) {
    if (argv.empty()) return Error(ErrorKind::internal, "run_bounded without a command");
    int out_p[2], err_p[2];
    if (::pipe2(out_p, O_CLOEXEC) != 0) return os_error("cannot create a pipe", errno);
    UniqueFd out_r(out_p[0]), out_w(out_p[1]);
    if (::pipe2(err_p, O_CLOEXEC) != 0) return os_error("cannot create a pipe", errno);
    UniqueFd err_r(err_p[0]), err_w(err_p[1]);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // nothing else leaks into the helper
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    char* envp[] = {nullptr};
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return os_error("cannot run " + argv[0], rc, argv[0]);
    out_w.reset();
    err_w.reset();

    Captured cap;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    std::string* sinks[2] = {&cap.out, &cap.err};
    int open_count = 2;
    while (open_count > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            cap.timed_out = true;
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buf[4096];
            ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
            if (r > 0) {
                // Keep draining past the bound so the helper never blocks on a full pipe.
                std::size_t room = max_bytes - std::min(max_bytes, sinks[i]->size());
                sinks[i]->append(buf, std::min(room, static_cast<std::size_t>(r)));
            } else if (r == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open_count;
            }
        }
    }
    if (cap.timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    cap.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return cap;
}

bool ensure_bwrap_cache_dir(const std::string& cache_dir) {
    return open_cache_dir(cache_dir, true).valid();
}

Result<BwrapInfo> probe_bwrap(const std::string& name_or_path, const std::string& path_env,
                              const std::string& cache_dir, const ExecutablePredicate& planted) {
    std::vector<std::string> skipped;
    std::string found = find_executable(name_or_path, path_env, planted, &skipped);
    if (found.empty() && !skipped.empty()) {
        // sbxrun runs bwrap on the host, before any sandbox exists: one that a command of an
        // earlier run could have put there (an activated .venv/bin first in PATH) would run
        // with all of the user's rights (fourteenth review).
        Error e(ErrorKind::no_backend, "bubblewrap at '" + skipped.front() +
                                           "' is not used: it lies where the sandbox can write, "
                                           "so a sandboxed command could have put it there");
        e.path = skipped.front();
        e.suggestion =
            "use the system's bubblewrap (apt install bubblewrap), or set "
            "backend.bwrap to one outside every writable root";
        return e;
    }
    if (found.empty()) {
        Error e(ErrorKind::no_backend,
                "bubblewrap ('" + name_or_path + "') was not found or is not executable");
        e.path = name_or_path;
        e.suggestion = "install it (apt install bubblewrap) or set backend.bwrap to its path";
        return e;
    }
    char real[PATH_MAX];
    if (!::realpath(found.c_str(), real)) return os_error("cannot resolve bwrap", errno, found);
    BwrapInfo info;
    info.path = real;

    struct stat st {};
    if (::stat(info.path.c_str(), &st) != 0) return os_error("cannot stat bwrap", errno, info.path);
    Identity id;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = static_cast<std::uint64_t>(st.st_size);
    id.mtime_s = st.st_mtim.tv_sec;
    id.mtime_ns = st.st_mtim.tv_nsec;
    info.setuid = (st.st_mode & S_ISUID) && st.st_uid == 0;
    const std::string key = id.key(info.path);
    const std::string cache_name = "bwrap-" + name_hash(key) + ".txt";

    std::string version;
    std::string help = read_cache(cache_dir, cache_name, key, version);
    if (help.empty()) {
        auto v = run_bounded({info.path, "--version"}, kProbeTimeoutMs);
        auto h = run_bounded({info.path, "--help"}, kProbeTimeoutMs);
        if (!v || !h) {
            Error e = !v ? std::move(v).error() : std::move(h).error();
            e.kind = ErrorKind::no_backend;
            e.suggestion = "check that " + info.path + " is an executable bubblewrap";
            return e;
        }
        if (h->timed_out || !looks_like_bwrap_help(h->out)) {
            Error e(ErrorKind::no_backend, "cannot read the options of bubblewrap from --help");
            e.path = info.path;
            e.suggestion = "check that " + info.path + " is bubblewrap";
            return e;
        }
        version = v->timed_out ? std::string() : parse_bwrap_version(v->out);
        help = h->out;
        write_cache(cache_dir, cache_name, key, version, help);
    }
    info.version = version;
    parse_bwrap_help(help, info);
    return info;
}

}  // namespace sbx
