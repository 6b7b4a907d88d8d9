#include "app/locate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "config.h"
#include "fs/path.hpp"

namespace sbx {

Result<InnerExe> open_inner_exe() {
    std::string candidates[2];
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        candidates[0] = path_parent(self) + "/sbxrun-inner";
    }
    candidates[1] = std::string(SBXRUN_LIBEXECDIR) + "/sbxrun-inner";
    int last_errno = ENOENT;
    for (const auto& c : candidates) {
        if (c.empty()) continue;
        int fd = ::open(c.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        struct stat st{};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
            ::close(fd);
            last_errno = EACCES;
            continue;
        }
        return InnerExe{c, UniqueFd(fd)};
    }
    return Error(ErrorKind::unsupported,
                 "cannot find sbxrun-inner (looked beside sbxrun and in " +
                     std::string(SBXRUN_LIBEXECDIR) + "); is sbxrun installed completely?")
        .with_errno(last_errno);
}

}  // namespace sbx
