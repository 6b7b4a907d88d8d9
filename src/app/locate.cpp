#include "app/locate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "config.h"
#include "fs/path.hpp"

namespace sbx {

namespace {

// Owned by root, the caller or the owner of the running sbxrun (another user's build tree,
// run by a test user), and not writable by everyone. (Group write is let be: with the
// user-private groups of most distributions, a umask of 002 makes a developer's build tree
// group-writable by the developer alone.)
bool trusted_owner(const struct stat& st, uid_t sbxrun_owner) {
    return (st.st_uid == 0 || st.st_uid == ::geteuid() || st.st_uid == sbxrun_owner) &&
           (st.st_mode & 002) == 0;
}

}  // namespace

Result<InnerExe> open_inner_exe(const std::function<bool(const std::string&)>& planted) {
    std::string candidates[2];
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        candidates[0] = path_parent(self) + "/sbxrun-inner";
    }
    candidates[1] = std::string(SBXRUN_LIBEXECDIR) + "/sbxrun-inner";
    struct stat self_st {};
    const uid_t self_owner = ::stat("/proc/self/exe", &self_st) == 0 ? self_st.st_uid : 0;
    int last_errno = ENOENT;
    std::string passed_over;  // a candidate refused for where it lies, for the message
    for (const auto& c : candidates) {
        if (c.empty()) continue;
        UniqueFd fd(::open(c.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            last_errno = errno;
            continue;
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
            last_errno = EACCES;
            continue;
        }
        // Judged by the file opened: its directory by the path resolved now, the file by fd.
        char real[PATH_MAX];
        const std::string r = ::realpath(c.c_str(), real) ? std::string(real) : c;
        struct stat dir {};
        if (!trusted_owner(st, self_owner) || ::stat(path_parent(r).c_str(), &dir) != 0 ||
            !trusted_owner(dir, self_owner) || (planted && planted(r))) {
            if (passed_over.empty()) passed_over = r;
            last_errno = EPERM;
            continue;
        }
        return InnerExe{c, std::move(fd)};
    }
    Error e(ErrorKind::unsupported, "cannot find sbxrun-inner (looked beside sbxrun and in " +
                                        std::string(SBXRUN_LIBEXECDIR) +
                                        "); is sbxrun installed completely?");
    if (!passed_over.empty()) {
        e.message = "sbxrun-inner at '" + passed_over +
                    "' is not used: it lies where a sandboxed command or another user could "
                    "have put it, and there is none in " +
                    std::string(SBXRUN_LIBEXECDIR);
        e.path = passed_over;
        e.suggestion = "run sbxrun by a path outside every writable root (an installed sbxrun)";
    }
    return e.with_errno(last_errno);
}

}  // namespace sbx
