#include "app/locate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

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

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

enum class Where { beside, libexecdir };

struct Candidate {
    std::string path;
    Where where;
};

// Why a helper found beside sbxrun is not taken, or "" when it is.
std::string beside_refusal(uid_t sbxrun_owner, const struct stat& file, const struct stat& dir) {
    struct stat build {};
    if (::stat(SBXRUN_BUILD_BINDIR, &build) != 0 || !same_file(build, dir))
        return "beside a copy or a link of sbxrun outside its build tree, a sandboxed command of "
               "an earlier run could have put it";
    if (!trusted_owner(file, sbxrun_owner) || !trusted_owner(dir, sbxrun_owner))
        return "it or its directory belongs to another user or can be written by everyone";
    return "";
}

}  // namespace

Result<InnerExe> open_inner_exe(const std::function<bool(const std::string&)>& planted) {
    std::vector<Candidate> candidates;
    char self_path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    struct stat self {};
    const bool self_known = n > 0 && ::stat("/proc/self/exe", &self) == 0;
    if (self_known) {
        self_path[n] = '\0';
        candidates.push_back({path_parent(self_path) + "/sbxrun-inner", Where::beside});
    }
    candidates.push_back({std::string(SBXRUN_LIBEXECDIR) + "/sbxrun-inner", Where::libexecdir});
    int last_errno = ENOENT;
    std::string passed_over;  // a candidate refused for where it lies, for the message
    std::string why_not;
    for (const auto& c : candidates) {
        UniqueFd fd(::open(c.path.c_str(), O_RDONLY | O_CLOEXEC));
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
        const std::string r = ::realpath(c.path.c_str(), real) ? std::string(real) : c.path;
        struct stat dir {};
        std::string why;
        if (::stat(path_parent(r).c_str(), &dir) != 0)
            why = "its directory cannot be examined";
        else if (c.where == Where::beside)
            why = beside_refusal(self.st_uid, st, dir);
        else if (!trusted_owner(st, self.st_uid) || !trusted_owner(dir, self.st_uid))
            why = "it or its directory belongs to another user or can be written by everyone";
        if (why.empty() && planted && planted(r))
            why = "this run's sandboxed command could change it";
        if (!why.empty()) {
            if (passed_over.empty()) {
                passed_over = r;
                why_not = why;
            }
            last_errno = EPERM;
            continue;
        }
        return InnerExe{c.path, std::move(fd)};
    }
    Error e(ErrorKind::unsupported, "cannot find sbxrun-inner (looked beside sbxrun and in " +
                                        std::string(SBXRUN_LIBEXECDIR) +
                                        "); is sbxrun installed completely?");
    if (!passed_over.empty()) {
        e.message = "sbxrun-inner at '" + passed_over + "' is not used (" + why_not +
                    "), and there is none in " + std::string(SBXRUN_LIBEXECDIR);
        e.path = passed_over;
        e.suggestion = "run the installed sbxrun (meson install puts sbxrun-inner in " +
                       std::string(SBXRUN_LIBEXECDIR) + ")";
    }
    return e.with_errno(last_errno);
}

}  // namespace sbx
