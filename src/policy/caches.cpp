#include "policy/caches.hpp"

#include <array>

namespace sbx {
namespace {

// Each list is every variable that moves the tool's download or build cache, and nothing
// else the tool keeps (configuration, credentials, installed programs stay where they are).
// cargo is not here: the only variable that moves its registry cache, CARGO_HOME, moves its
// configuration and installed subcommands too.
constexpr std::array kNpm{CacheVariable{"npm_config_cache", ""}};
constexpr std::array kPip{CacheVariable{"PIP_CACHE_DIR", ""}};
constexpr std::array kUv{CacheVariable{"UV_CACHE_DIR", ""}};
constexpr std::array kGo{CacheVariable{"GOCACHE", "build"}, CacheVariable{"GOMODCACHE", "mod"}};
constexpr std::array kYarn{CacheVariable{"YARN_CACHE_FOLDER", ""}};
// pnpm reads npm_config_* for its own settings: store-dir (the packages), cache-dir (metadata).
constexpr std::array kPnpm{CacheVariable{"npm_config_store_dir", "store"},
                           CacheVariable{"npm_config_cache_dir", "cache"}};
constexpr std::array kCcache{CacheVariable{"CCACHE_DIR", ""}};

constexpr std::array kTools{
    CacheTool{"npm", kNpm, "npm's package and metadata cache (in place of ~/.npm)"},
    CacheTool{"pip", kPip, "pip's wheel and HTTP cache (in place of ~/.cache/pip)"},
    CacheTool{"uv", kUv, "uv's package cache (in place of ~/.cache/uv)"},
    CacheTool{"go", kGo,
              "Go's build cache and module cache (in place of ~/.cache/go-build and "
              "~/go/pkg/mod): `go build` needs a writable build cache even offline"},
    CacheTool{"yarn", kYarn, "Yarn's package cache (in place of ~/.cache/yarn)"},
    CacheTool{"pnpm", kPnpm, "pnpm's package store and metadata cache"},
    CacheTool{"ccache", kCcache, "ccache's compiler cache (in place of ~/.cache/ccache)"},
};

}  // namespace

std::span<const CacheTool> cache_tools() {
    return kTools;
}

const CacheTool* find_cache_tool(std::string_view name) {
    for (const auto& t : kTools)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace sbx
