#include "app/status_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sbx {

Result<StatusSink> StatusSink::open(const Invocation& inv) {
    StatusSink s;
    if (inv.status_fd) {
        int fd = *inv.status_fd;
        int flags = ::fcntl(fd, F_GETFL);
        if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
            return Error(ErrorKind::usage, "--status-fd " + std::to_string(fd) +
                                               ": not a file descriptor open for writing");
        }
        if (fd <= STDERR_FILENO) {
            // A standard stream the command shares (the document follows its output, as
            // sbxrun(1) says): the command keeps it, we write through a copy of our own.
            // Close-on-exec on the stream itself closed the command's stdout (found by an
            // outside review: "echo: I/O error").
            s.stream_copy_.reset(::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
            if (!s.stream_copy_) return os_error("--status-fd " + std::to_string(fd), errno);
            s.fd_ = s.stream_copy_.get();
        } else {
            // The command must not inherit the caller's status channel.
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            s.fd_ = fd;
        }
    }
    if (inv.status_file) {
        int fd = ::open(inv.status_file->c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0) {
            return Error(ErrorKind::usage, "--status-file: cannot create '" + *inv.status_file + "'")
                .with_errno(errno)
                .with_path(*inv.status_file);
        }
        s.file_.reset(fd);
        if (s.fd_ < 0) s.fd_ = fd;
    }
    return s;
}

Status StatusSink::write(const Outcome& o) {
    if (written_ || (fd_ < 0 && !file_)) return {};
    written_ = true;
    std::string doc = status_json(o) + "\n";
    auto write_all = [&](int fd) -> Status {
        std::size_t off = 0;
        while (off < doc.size()) {
            ssize_t n = ::write(fd, doc.data() + off, doc.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return os_error("cannot write the status document", errno);
            off += static_cast<std::size_t>(n);
        }
        return {};
    };
    Status result;
    if (fd_ >= 0) result = write_all(fd_);
    if (file_ && file_.get() != fd_) {
        Status r2 = write_all(file_.get());
        if (result.ok() && !r2.ok()) result = std::move(r2);
    }
    return result;
}

}  // namespace sbx
