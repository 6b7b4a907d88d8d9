// A fake directory tree for the Landlock compile: paths declared as data, each node handed out
// as a real (dup'ed O_PATH "/") descriptor whose number maps back to its path, so the rules a
// compile produces can be read as (path, access) pairs.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "backend/landlock_dir_lister.hpp"
#include "inner/inner_spec.hpp"

namespace sbx::test {

class FakeTree final : public DirLister {
public:
    enum Type { dir, file, symlink };

    // add("/w/.git", dir): parents are created as directories.
    void add(const std::string& path, Type t) {
        types_[path] = t;
        std::string p = path;
        while (p != "/") {
            auto slash = p.rfind('/');
            std::string parent = slash == 0 ? "/" : p.substr(0, slash);
            children_[parent].insert(p.substr(slash + 1));
            if (!types_.count(parent)) types_[parent] = dir;
            p = parent;
        }
    }

    UniqueFd fd_for(const std::string& path) {
        int fd = ::open("/", O_PATH | O_CLOEXEC);
        names_[fd] = path;
        return UniqueFd(fd);
    }

    std::string path_of(int fd) const {
        auto it = names_.find(fd);
        return it == names_.end() ? "?" : it->second;
    }

    // rules as {path -> access}
    std::map<std::string, std::uint64_t> rules(const LandlockSpec& spec) const {
        std::map<std::string, std::uint64_t> out;
        for (const auto& r : spec.rules) out[path_of(r.fd)] |= r.access;
        return out;
    }

    std::vector<std::string> listed;  // directories listed, in order
    std::set<std::string> vanished;   // listed, but gone by the time they are opened

    Result<std::vector<DirEntryInfo>> list(int dir_fd) override {
        std::string p = path_of(dir_fd);
        listed.push_back(p);
        std::vector<DirEntryInfo> out;
        for (const auto& name : children_[p]) {
            std::string c = p == "/" ? "/" + name : p + "/" + name;
            out.push_back({name, types_[c] == dir, types_[c] == symlink});
        }
        return out;
    }
    Result<UniqueFd> open_child(int dir_fd, const std::string& name, bool /*is_dir*/) override {
        std::string p = path_of(dir_fd);
        std::string c = p == "/" ? "/" + name : p + "/" + name;
        if (!types_.count(c)) return Error(ErrorKind::not_found, "no such fake entry").with_path(c);
        if (vanished.count(c)) return os_error("entry changed since it was listed", ENOENT, c);
        return fd_for(c);
    }
    Result<UniqueFd> open_builtin(const std::string& abs) override {
        if (!types_.count(abs)) return Error(ErrorKind::not_found, "no such fake entry");
        return fd_for(abs);
    }

private:
    std::map<std::string, Type> types_{{"/", dir}};
    std::map<std::string, std::set<std::string>> children_;
    std::map<int, std::string> names_;
};

}  // namespace sbx::test
