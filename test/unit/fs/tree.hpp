// Fixture trees for the fs tests, declared as data: a list of entries created under a fresh
// temporary directory, removed (without following links) when the tree goes away.
#pragma once

#include <initializer_list>
#include <string>

namespace sbx::test {

struct Entry {
    enum Kind { dir, file, link } kind;
    std::string path;    // relative to the tree's root
    std::string target;  // link text (link), contents (file)
};

class TempTree {
public:
    explicit TempTree(std::initializer_list<Entry> entries = {});
    ~TempTree();
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    // Canonical absolute path of the root, and of an entry below it.
    [[nodiscard]] const std::string& root() const { return root_; }
    [[nodiscard]] std::string operator/(const std::string& rel) const { return root_ + "/" + rel; }
    void add(const Entry& e) const;

private:
    std::string root_;
};

// Remove a tree without following symlinks (nftw with FTW_PHYS | FTW_DEPTH).
void remove_tree(const std::string& path);

}  // namespace sbx::test
