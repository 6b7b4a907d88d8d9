// Throw-away directory trees for the stage benchmarks: a workspace with N protected entries
// (every fourth one a symlink into the workspace, so the plan pins links and protects targets)
// and symlink chains of a chosen depth. Removed with the object.
#pragma once

#include <string>

namespace sbx::bench {

class FixtureTree {
public:
    FixtureTree();  // a fresh directory under $TMPDIR (or /tmp)
    ~FixtureTree();
    FixtureTree(const FixtureTree&) = delete;
    FixtureTree& operator=(const FixtureTree&) = delete;

    [[nodiscard]] const std::string& root() const { return root_; }

    // <root>/ws<n>/ with entries p0..p<n-1>: directories, and every fourth one a symlink to
    // targets/t<i> (an existing directory). Returns the workspace path.
    std::string make_workspace(int n);

    // <root>/chain<d>/l<d> -> l<d-1> -> ... -> l1 -> target (a directory). Returns the path of
    // l<d>, the link to resolve.
    std::string make_chain(int depth);

private:
    std::string root_;
};

}  // namespace sbx::bench
