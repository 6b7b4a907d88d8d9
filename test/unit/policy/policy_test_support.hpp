// Shared helpers for the policy unit tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "policy/load.hpp"

namespace sbx::test {

// The context every sample is loaded with: fixed, so expectations are stable.
inline ExpandContext sample_context() {
    ExpandContext ctx;
    ctx.workspace = "/ws";
    ctx.home = "/home/u";
    ctx.tmpdir = "/tmp";
    ctx.env = {{"PROJ", "/srv/proj"}, {"REL", "rel"}, {"EMPTY", ""}, {"NAME", ".config/app"}};
    return ctx;
}

inline std::filesystem::path data_dir() {
    const char* d = std::getenv("SBXRUN_TEST_DATA");
    return std::filesystem::path(d ? d : "test/data") / "policies";
}

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
}

// Load one document over the built-in default, named by `name` in messages.
inline Result<Policy> load_text(const std::string& text, const std::string& name,
                                const PolicyLimits& limits = {}) {
    auto ctx = sample_context();
    return apply_policy_text(default_policy(ctx), text, name, ctx, limits);
}

inline bool same_rules(const std::vector<PathRule>& a, const std::vector<PathRule>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].path != b[i].path || a[i].relative_name != b[i].relative_name ||
            a[i].missing != b[i].missing)
            return false;
    return true;
}

// Equal as far as enforcement is concerned: every value, not where it was written.
inline bool same_caches(const std::vector<CacheRule>& a, const std::vector<CacheRule>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].tool != b[i].tool) return false;
    return true;
}

inline bool same_policy(const Policy& a, const Policy& b) {
    const auto &fa = a.filesystem, &fb = b.filesystem;
    return a.version == b.version && same_rules(fa.read, fb.read) &&
           same_rules(fa.write, fb.write) && same_rules(fa.protect, fb.protect) &&
           same_rules(fa.deny, fb.deny) && same_rules(fa.tmpfs, fb.tmpfs) &&
           fa.symlinks.value == fb.symlinks.value &&
           fa.missing_protected.value == fb.missing_protected.value &&
           fa.git.value == fb.git.value && same_caches(fa.caches, fb.caches) &&
           fa.cache_scope.value == fb.cache_scope.value &&
           a.network.mode.value == b.network.mode.value &&
           a.network.unix_sockets.has_value() == b.network.unix_sockets.has_value() &&
           (!a.network.unix_sockets ||
            a.network.unix_sockets->value == b.network.unix_sockets->value) &&
           a.network.allow == b.network.allow && a.network.deny == b.network.deny &&
           a.network.ports.value == b.network.ports.value &&
           a.process.env_clear == b.process.env_clear && a.process.env_keep == b.process.env_keep &&
           a.process.env_unset == b.process.env_unset && a.process.env_set == b.process.env_set &&
           a.process.new_session == b.process.new_session && a.backend.order == b.backend.order &&
           a.backend.bwrap == b.backend.bwrap &&
           a.backend.on_unenforceable.value == b.backend.on_unenforceable.value;
}

// A fresh directory under $TMPDIR, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sbx-policy-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace sbx::test
