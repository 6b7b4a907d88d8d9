#include "tree.hpp"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace sbx::test {

namespace {
void check(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}
}  // namespace

TempTree::TempTree(std::initializer_list<Entry> entries) {
    char tmpl[] = "/tmp/sbxrun-fs-test.XXXXXX";
    check(::mkdtemp(tmpl) != nullptr, "mkdtemp");
    char real[PATH_MAX];
    check(::realpath(tmpl, real) != nullptr, "realpath");
    root_ = real;
    for (const auto& e : entries) add(e);
}

void TempTree::add(const Entry& e) const {
    std::string p = root_ + "/" + e.path;
    switch (e.kind) {
        case Entry::dir:
            check(::mkdir(p.c_str(), 0755) == 0, "mkdir " + p);
            break;
        case Entry::file: {
            FILE* f = std::fopen(p.c_str(), "w");
            check(f != nullptr, "create " + p);
            std::fputs(e.target.c_str(), f);
            std::fclose(f);
            break;
        }
        case Entry::link:
            check(::symlink(e.target.c_str(), p.c_str()) == 0, "symlink " + p);
            break;
    }
}

TempTree::~TempTree() {
    remove_tree(root_);
}

void remove_tree(const std::string& path) {
    ::nftw(
        path.c_str(),
        [](const char* p, const struct stat* st, int, struct FTW*) {
            if (S_ISDIR(st->st_mode)) {
                ::rmdir(p);
            } else {
                ::unlink(p);
            }
            return 0;
        },
        16, FTW_PHYS | FTW_DEPTH);
}

}  // namespace sbx::test
