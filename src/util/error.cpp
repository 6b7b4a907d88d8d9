#include "util/error.hpp"

#include <cerrno>
#include <cstring>

namespace sbx {

std::string Origin::to_string() const {
    // Appends into a reserved string rather than `out = file; out += ":" + ...`: gcc 12 at -O3
    // inlines that assignment and reports a memcpy overlap that cannot happen
    // (-Werror=restrict; GCC PR 105329 and its relatives), which broke -Dbuildtype=release.
    std::string out;
    out.reserve(file.size() + key.size() + 16);
    if (!file.empty()) {
        out.append(file);
        if (line > 0) {
            out.push_back(':');
            out.append(std::to_string(line));
        }
    }
    if (!key.empty()) {
        if (!out.empty()) out.append(": ");
        out.append(key);
    }
    return out;
}

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage: return "usage";
        case ErrorKind::parse: return "parse";
        case ErrorKind::schema: return "schema";
        case ErrorKind::limit: return "limit";
        case ErrorKind::symlink_refused: return "symlink-refused";
        case ErrorKind::unenforceable: return "unenforceable";
        case ErrorKind::escape: return "escape";
        case ErrorKind::loop: return "loop";
        case ErrorKind::not_found: return "not-found";
        case ErrorKind::bad_path:
            return "bad-path";
        case ErrorKind::unsupported: return "unsupported";
        case ErrorKind::no_backend: return "no-backend";
        case ErrorKind::os: return "os";
        case ErrorKind::resource:
            return "resource";
        case ErrorKind::internal: return "internal";
    }
    return "internal";
}

std::string Error::render() const {
    std::string out = origin.to_string();
    if (!out.empty()) out += ": ";
    out += message;
    if (sys_errno != 0) {
        out += ": ";
        out += std::strerror(sys_errno);
    }
    return out;
}

bool is_resource_errno(int err) {
    switch (err) {
        case EMFILE:
        case ENFILE:
        case ENOMEM:
        case E2BIG:
        case ENOSPC:
        case EDQUOT:
            return true;
        default:
            return false;
    }
}

Error os_error(std::string what, int err, std::string path) {
    Error e(is_resource_errno(err) ? ErrorKind::resource : ErrorKind::os, std::move(what));
    e.sys_errno = err;
    e.path = std::move(path);
    return e;
}

}  // namespace sbx
