#include "policy/trust.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
#include "fs/real_path.hpp"
#include "policy/load.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

Error store_error(const std::string& what, int err, const std::string& path) {
    return Error(ErrorKind::usage, what + " " + path).with_errno(err).with_path(path);
}

// mkdir -p for the user's config directory: its components are the user's own choice and may
// be symlinks (dotfile managers), so they are followed; new directories get mode 0700. At most
// `levels` of them are made ($XDG_CONFIG_HOME or ~/.config, and sbxrun): a missing $HOME is
// not ours to create.
Status make_directories(const std::string& dir, int levels = 2) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return {};
        return store_error("cannot create the trust store", ENOTDIR, dir);
    }
    if (errno != ENOENT || levels <= 0)
        return store_error("cannot create the trust store", errno != ENOENT ? errno : ENOENT, dir);
    if (dir != "/") SBX_TRY(make_directories(path_parent(dir), levels - 1));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return store_error("cannot create the trust store", errno, dir);
    return {};
}

// The store directory itself, opened without following a symlink at its last component (the one
// sbxrun creates and owns), and checked: a directory of ours that nobody else can write to.
// ENOENT is returned as an invalid fd when `create` is false.
Result<UniqueFd> open_store(const std::string& store, bool create) {
    const std::string parent = path_parent(store);
    const std::string name = path_base_name(store);
    if (create) SBX_TRY(make_directories(parent));
    UniqueFd pfd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!pfd) {
        if (!create && (errno == ENOENT || errno == ENOTDIR)) return UniqueFd();
        return store_error("cannot open the trust store", errno, parent);
    }
    for (int attempt = 0;; ++attempt) {
        UniqueFd fd(
            ::openat(pfd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd) {
            struct stat st {};
            if (::fstat(fd.get(), &st) != 0)
                return store_error("cannot open the trust store", errno, store);
            if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
                return Error(ErrorKind::usage,
                             "the trust store " + store +
                                 " is not a directory of this user that only it can write to; "
                                 "refusing to use it")
                    .with_path(store);
            return fd;
        }
        if (errno == ENOENT && !create) return UniqueFd();
        if (errno == ENOENT && attempt == 0) {
            if (::mkdirat(pfd.get(), name.c_str(), 0700) != 0 && errno != EEXIST)
                return store_error("cannot create the trust store", errno, store);
            continue;
        }
        // ELOOP / ENOTDIR: a symlink or a file stands there. Never followed.
        return store_error("cannot open the trust store", errno, store);
    }
}

// Read an open file whole, at most limits.max_file_bytes.
Result<std::string> read_all(int fd, const std::string& path, const PolicyLimits& limits) {
    BoundedRead r = read_bounded(fd, limits.max_file_bytes);
    if (r.sys_errno != 0) return store_error("cannot read the trusted copy", r.sys_errno, path);
    if (r.too_large)
        return Error(ErrorKind::limit, "trusted copy is larger than " +
                                           std::to_string(limits.max_file_bytes) + " bytes")
            .with_path(path);
    return std::move(r.text);
}

Status write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return store_error("cannot write the trusted copy", errno, path);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace

std::string user_config_dir(const ExpandContext& ctx) {
    // XDG base-directory rules: an unset, empty or relative $XDG_CONFIG_HOME means ~/.config.
    if (const auto* x = ctx.env_var("XDG_CONFIG_HOME"); x && !x->empty() && (*x)[0] == '/')
        return environment_path(*x) + "/sbxrun";
    const auto* h = ctx.env_var("HOME");
    std::string home = h && !h->empty() ? *h : ctx.home;
    if (home.empty()) return {};
    return (home[0] == '/' ? environment_path(home) : normalize_path(home)) + "/.config/sbxrun";
}

std::string trust_store_dir(const ExpandContext& ctx) {
    std::string config = user_config_dir(ctx);
    return config.empty() ? std::string() : config + "/trusted";
}

Result<TrustCandidate> read_trust_candidate(const std::string& path, const PolicyLimits& limits) {
    const std::string dir = path_parent(path);
    auto fail = [&](int err, const std::string& what, const std::string& where) {
        return Error(err == ENOENT || err == ENOTDIR ? ErrorKind::not_found : ErrorKind::usage,
                     what)
            .with_errno(err)
            .with_path(where);
    };
    UniqueFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dfd) return fail(errno, "cannot resolve the directory of policy file " + path, dir);
    // The canonical path of the directory we hold (what realpath would say, without a second
    // lookup by name).
    char real[PATH_MAX];
    const std::string self = "/proc/self/fd/" + std::to_string(dfd.get());
    const ssize_t n = ::readlink(self.c_str(), real, sizeof real - 1);
    if (n <= 0 || real[0] != '/')
        return fail(n < 0 ? errno : ENOENT, "cannot resolve the directory of policy file " + path,
                    dir);
    TrustCandidate c;
    c.key = path_join(std::string(real, static_cast<std::size_t>(n)), path_base_name(path));
    // O_NONBLOCK and a regular file only: the workspace's policy is a name the sandboxed
    // command can create, and a FIFO there hung every later sbxrun in that workspace (tenth
    // outside review). A policy from a pipe is given with --policy, which reads it as it comes.
    UniqueFd fd(::openat(dfd.get(), path_base_name(path).c_str(),
                         O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) return fail(errno, "cannot read policy file " + path, path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(errno, "cannot read policy file " + path, path);
    if (!S_ISREG(st.st_mode))
        return Error(ErrorKind::usage, "the workspace policy " + path + " is not a regular file")
            .with_path(path);
    BoundedRead r = read_bounded(fd.get(), limits.max_file_bytes);
    if (r.sys_errno != 0) return fail(r.sys_errno, "cannot read policy file " + path, path);
    if (r.too_large)
        return Error(ErrorKind::limit, "policy file is larger than " +
                                           std::to_string(limits.max_file_bytes) + " bytes")
            .with_origin({path, 0, {}})
            .with_path(path);
    c.text = std::move(r.text);
    return c;
}

Result<std::string> trust_entry_name(const std::string& key) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string name;
    for (unsigned char c : key) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            name += static_cast<char>(c);
        } else {
            name += '%';
            name += hex[c >> 4];
            name += hex[c & 15];
        }
    }
    // A key is absolute, so the name starts with "%2F": never "", "." or "..".
    if (name.size() > NAME_MAX)
        return Error(ErrorKind::limit,
                     "the path of this policy file is too long to be trusted (its encoded form "
                     "has " +
                         std::to_string(name.size()) + " bytes, the limit is " +
                         std::to_string(NAME_MAX) + ")")
            .with_path(key);
    return name;
}

Result<std::optional<std::string>> read_trusted_copy(const std::string& store,
                                                     const std::string& key,
                                                     const PolicyLimits& limits) {
    auto name = trust_entry_name(key);
    if (!name) return std::move(name).error();
    auto dir = open_store(store, false);
    if (!dir) return std::move(dir).error();
    if (!*dir) return std::optional<std::string>();
    const std::string entry = path_join(store, *name);
    UniqueFd fd(::openat(dir->get(), name->c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::optional<std::string>();
        return store_error("cannot open the trusted copy", errno, entry);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return store_error("cannot open the trusted copy", errno, entry);
    if (!S_ISREG(st.st_mode))
        return Error(ErrorKind::usage, "the trusted copy " + entry + " is not a regular file")
            .with_path(entry);
    auto text = read_all(fd.get(), entry, limits);
    if (!text) return std::move(text).error();
    return std::optional<std::string>(std::move(*text));
}

Status ensure_trust_store(const std::string& store) {
    auto dir = open_store(store, true);
    if (!dir) return std::move(dir).error();
    return {};
}

Result<std::string> store_trusted_copy(const std::string& store, const std::string& key,
                                       const std::string& text) {
    auto name = trust_entry_name(key);
    if (!name) return std::move(name).error();
    auto dir = open_store(store, true);
    if (!dir) return std::move(dir).error();
    const std::string entry = path_join(store, *name);

    // A fresh temporary name (O_EXCL: nothing that stands there is reused or followed), written
    // whole and synced, then renamed over the entry, so a reader sees the old copy or the new
    // one, never half of one.
    std::random_device rd;
    std::string tmp;
    UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd; ++attempt) {
        tmp = ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
        fd.reset(::openat(dir->get(), tmp.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd && errno != EEXIST)
            return store_error("cannot write the trusted copy", errno, path_join(store, tmp));
    }
    if (!fd) return store_error("cannot write the trusted copy", EEXIST, path_join(store, tmp));
    auto done = [&]() -> Status {
        SBX_TRY(write_all(fd.get(), text, entry));
        if (::fsync(fd.get()) != 0)
            return store_error("cannot write the trusted copy", errno, entry);
        if (::renameat(dir->get(), tmp.c_str(), dir->get(), name->c_str()) != 0)
            return store_error("cannot write the trusted copy", errno, entry);
        (void)::fsync(dir->get());  // durability only; the copy is in place either way
        return {};
    }();
    if (!done) {
        (void)::unlinkat(dir->get(), tmp.c_str(), 0);
        return std::move(done).error();
    }
    return entry;
}

Result<Policy> load_workspace_policy(const std::string& path, const std::string& store,
                                     const ExpandContext& ctx, const PolicyLimits& limits) {
    // Read once, with the key, through one directory descriptor: these bytes are both the ones
    // compared and the ones applied, and the copy they are compared with is the one kept for
    // the file they came from.
    auto candidate = read_trust_candidate(path, limits);
    if (!candidate) return std::move(candidate).error();
    const std::string& text = candidate->text;
    std::optional<std::string> trusted;
    if (!store.empty()) {
        auto copy = read_trusted_copy(store, candidate->key, limits);
        if (!copy) return std::move(copy).error();
        trusted = std::move(*copy);
    }
    if (!trusted || *trusted != text) {
        Error e(ErrorKind::unenforceable,
                path + " is not trusted (new, or changed since it was trusted)");
        e.path = path;
        e.suggestion = "review it, then run: sbxrun --trust-policy " + path;
        return e;
    }
    return apply_policy_text(default_policy(ctx), text, path, ctx, limits);
}

}  // namespace sbx
