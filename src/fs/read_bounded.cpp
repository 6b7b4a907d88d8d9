#include "fs/read_bounded.hpp"

#include <unistd.h>

#include <cerrno>

namespace sbx {

BoundedRead read_bounded(int fd, std::size_t max_bytes) {
    BoundedRead r;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            r.sys_errno = errno;
            return r;
        }
        if (n == 0) return r;
        r.text.append(buf, static_cast<std::size_t>(n));
        if (r.text.size() > max_bytes) {
            r.too_large = true;
            return r;
        }
    }
}

}  // namespace sbx
