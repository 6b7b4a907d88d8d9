// Reading an open descriptor whole, with a bound: policy files and trusted copies are
// user-controlled, and a huge file (or /dev/zero, or an endless pipe) must be refused after
// the limit instead of read into memory.
#pragma once

#include <cstddef>
#include <string>

namespace sbx {

struct BoundedRead {
    std::string text;        // what was read (up to one buffer past max_bytes when too_large)
    int sys_errno = 0;       // errno of a failed read(2) (EINTR is retried), 0 when none
    bool too_large = false;  // more than max_bytes were there: refuse, do not use `text`
};

[[nodiscard]] BoundedRead read_bounded(int fd, std::size_t max_bytes);

}  // namespace sbx
