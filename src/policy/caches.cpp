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

// Where each tool keeps its cache when no variable says otherwise (Linux defaults).
constexpr std::array<std::string_view, 1> kNpmAt{"~/.npm"};
constexpr std::array<std::string_view, 1> kPipAt{"@cache/pip"};
constexpr std::array<std::string_view, 1> kUvAt{"@cache/uv"};
constexpr std::array<std::string_view, 2> kGoAt{"@cache/go-build", "~/go/pkg/mod"};
constexpr std::array<std::string_view, 2> kYarnAt{"@cache/yarn", "~/.yarn/berry/cache"};
constexpr std::array<std::string_view, 2> kPnpmAt{"~/.local/share/pnpm/store", "@cache/pnpm"};
constexpr std::array<std::string_view, 2> kCcacheAt{"@cache/ccache", "~/.ccache"};

constexpr std::array kTools{
    CacheTool{"npm", kNpm, "npm's package and metadata cache", kNpmAt},
    CacheTool{"pip", kPip, "pip's wheel and HTTP cache", kPipAt},
    CacheTool{"uv", kUv, "uv's package cache", kUvAt},
    CacheTool{"go", kGo,
              "Go's build cache and module cache: `go build` needs a writable build cache even "
              "offline",
              kGoAt},
    CacheTool{"yarn", kYarn, "Yarn's package cache", kYarnAt},
    CacheTool{"pnpm", kPnpm, "pnpm's package store and metadata cache", kPnpmAt},
    CacheTool{"ccache", kCcache, "ccache's compiler cache", kCcacheAt},
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
