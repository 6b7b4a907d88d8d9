// A policy's writable roots (filesystem.write), for the questions sbxrun asks of them before
// the plan exists: is one of its own files, a cache or a bwrap inside one?
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fs/real_path.hpp"
#include "policy/policy.hpp"

namespace sbx {

class WriteRoots {
public:
    // Each root is resolved once, here: the callers ask about dozens of paths.
    explicit WriteRoots(const std::vector<PathRule>& write);

    // Whether `path` lies within one of the roots, compared as spelled and as resolved:
    // HOME=/x/home-link with write = ["/x/home"] (or the other way round) holds
    // ~/.config/sbxrun just the same (thirteenth review: the command created the next run's
    // policy.toml there; fourteenth: the tools' own caches).
    [[nodiscard]] bool cover(std::string_view path) const;

private:
    std::vector<std::string> spelled_;
    std::vector<std::string> resolved_;
    mutable ResolvedPathCache real_;
};

}  // namespace sbx
