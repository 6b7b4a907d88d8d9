#include "app/status_sink.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "fs/path.hpp"
#include "util/open_no_symlinks.hpp"

namespace sbx {
namespace {

Error refused(const std::string& path, const std::string& why, int err = 0) {
    return Error(ErrorKind::usage, "--status-file: '" + path + "' " + why)
        .with_errno(err)
        .with_path(path);
}

// The file the document goes to, created or truncated. The path is the caller's, but what it
// leads to may have been shaped by an earlier sandboxed run in a writable directory: a
// symlink planted at the name or above it made sbxrun overwrite its target (found by an
// outside review: a protected .git/config, and any file root can write), and a hard link
// planted to the name let the command append a document of its own to ours. So no symlink is
// crossed, the file must be a regular file with no other name, and not a kernel file (/proc,
// /sys) that takes writes as commands. Not a FIFO: a sandboxed command that can reach it writes
// a document of its own before ours, and one planted with no reader made sbxrun hang in
// open(2) (found by the fifth outside review); a harness that wants a pipe has --status-fd.
Result<UniqueFd> open_status_file(const std::string& path) {
    const std::string base(path_base_name(path));
    if (base.empty() || base == "." || base == "..") return refused(path, "does not name a file");
    // The directory as written (not normalised: "a/../b" is the kernel's to walk).
    const auto slash = path.rfind('/');
    UniqueFd dir;
    if (slash != std::string::npos) {
        const std::string parent = slash == 0 ? std::string("/") : path.substr(0, slash);
        dir = open_no_symlinks(AT_FDCWD, parent.c_str(), O_PATH | O_DIRECTORY);
        if (!dir && errno == ELOOP)
            return refused(path,
                           "crosses a symbolic link; give its real path (a sandboxed command "
                           "could have planted the link)");
        if (!dir) return refused(path, "cannot be created", errno);
    }
    // O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of blocking; it is
    // refused below anyway, and the flag is taken off a regular file.
    UniqueFd fd(::openat(dir ? dir.get() : AT_FDCWD, base.c_str(),
                         O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                         0644));
    if (!fd && errno == ENXIO) return refused(path, "is not a regular file");
    if (!fd && errno == ELOOP)
        return refused(path,
                       "is a symbolic link; sbxrun writes only to a file of its own (a "
                       "sandboxed command could have planted the link)");
    if (!fd) return refused(path, "cannot be created", errno);
    struct stat st {};
    struct statfs sf {};
    if (::fstat(fd.get(), &st) != 0 || ::fstatfs(fd.get(), &sf) != 0)
        return refused(path, "cannot be examined", errno);
    if (!S_ISREG(st.st_mode))
        return refused(path, "is not a regular file (use --status-fd for a pipe)");
    if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)
        return refused(path, "is a kernel file, not one a document can be written to");
    if (::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK) != 0)
        return refused(path, "cannot be examined", errno);
    if (st.st_nlink > 1)
        return refused(path, "has " + std::to_string(st.st_nlink) +
                                 " names (hard links); a command could read or append to it "
                                 "through another one");
    if (::ftruncate(fd.get(), 0) != 0) return refused(path, "cannot be truncated", errno);
    return fd;
}

}  // namespace

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
        auto file = open_status_file(*inv.status_file);
        if (!file.ok()) return std::move(file).error();
        s.file_ = std::move(file).value();
        s.regular_file_ = true;
        struct stat st {};
        if (::fstat(s.file_.get(), &st) == 0 && !S_ISREG(st.st_mode)) s.regular_file_ = false;
        if (s.fd_ < 0) s.fd_ = s.file_.get();
    }
    return s;
}

Status StatusSink::write(const Outcome& o) {
    if (written_ || (fd_ < 0 && !file_)) return {};
    written_ = true;
    // A reader of --status-fd that went away is EPIPE here, said on stderr, never sbxrun's death
    // by SIGPIPE (exit 141 read as the command's signal: tenth outside review). The document is
    // the last thing sbxrun does, so nothing it starts after this inherits the SIG_IGN.
    ::signal(SIGPIPE, SIG_IGN);
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
    // The file holds exactly this document, whatever was written to its inode meanwhile.
    if (file_ && regular_file_ && ::ftruncate(file_.get(), 0) == 0)
        (void)::lseek(file_.get(), 0, SEEK_SET);
    Status result;
    if (fd_ >= 0) result = write_all(fd_);
    if (file_ && file_.get() != fd_) {
        Status r2 = write_all(file_.get());
        if (result.ok() && !r2.ok()) result = std::move(r2);
    }
    return result;
}

}  // namespace sbx
