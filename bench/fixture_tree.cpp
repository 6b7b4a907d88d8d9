#include "fixture_tree.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace sbx::bench {

FixtureTree::FixtureTree() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(tmp != nullptr && *tmp == '/' ? tmp : "/tmp") + "/sbxrun-bench.XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
}

FixtureTree::~FixtureTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

std::string FixtureTree::make_workspace(int n) {
    const fs::path ws = fs::path(root_) / ("ws" + std::to_string(n));
    if (fs::exists(ws)) return ws.string();
    fs::create_directories(ws / "targets");
    fs::create_directories(ws / ".git");
    for (int i = 0; i < n; ++i) {
        const std::string name = "p" + std::to_string(i);
        if (i % 4 == 3) {
            fs::create_directory(ws / "targets" / ("t" + std::to_string(i)));
            fs::create_directory_symlink("targets/t" + std::to_string(i), ws / name);
        } else {
            fs::create_directory(ws / name);
        }
    }
    return ws.string();
}

std::string FixtureTree::make_chain(int depth) {
    const fs::path dir = fs::path(root_) / ("chain" + std::to_string(depth));
    if (!fs::exists(dir)) {
        fs::create_directories(dir / "target");
        fs::create_directory_symlink("target", dir / "l1");
        for (int d = 2; d <= depth; ++d) {
            fs::create_directory_symlink("l" + std::to_string(d - 1),
                                         dir / ("l" + std::to_string(d)));
        }
    }
    return (dir / ("l" + std::to_string(depth))).string();
}

}  // namespace sbx::bench
