// The gitlinks of a git index, read from its bytes: versions 2, 3 (extended flags) and 4 (path
// prefix compression), SHA-1 and SHA-256 object names, and bytes git would not read.
#include "run/git_index.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

struct Entry {
    std::uint32_t mode;
    std::string path;
    bool extended = false;
};

// An index as git writes it (entries only, no extensions, no trailing checksum: neither is read).
std::string index_of(std::uint32_t version, const std::vector<Entry>& entries,
                     std::size_t hash = 20) {
    std::string out = "DIRC";
    put32(out, version);
    put32(out, static_cast<std::uint32_t>(entries.size()));
    std::string previous;
    for (const auto& e : entries) {
        const std::size_t start = out.size();
        for (int i = 0; i < 6; ++i) put32(out, 0);  // ctime, mtime, dev, ino
        put32(out, e.mode);
        for (int i = 0; i < 3; ++i) put32(out, 0);  // uid, gid, size
        out.append(hash, '\x11');
        const std::uint32_t flags =
            (e.extended ? 0x4000u : 0u) | std::min<std::uint32_t>(0xfff, e.path.size());
        out.push_back(static_cast<char>(flags >> 8));
        out.push_back(static_cast<char>(flags & 0xff));
        if (e.extended) out.append(2, '\0');
        if (version == 4) {
            std::size_t common = 0;
            while (common < previous.size() && common < e.path.size() &&
                   previous[common] == e.path[common])
                ++common;
            const std::size_t strip = previous.size() - common;
            REQUIRE(strip < 128);  // one varint byte is enough here
            out.push_back(static_cast<char>(strip));
            out.append(e.path.substr(common));
            out.push_back('\0');
            previous = e.path;
        } else {
            out.append(e.path);
            const std::size_t len = out.size() - start;
            out.append(((len + 8) & ~std::size_t{7}) - len, '\0');
        }
    }
    return out;
}

std::optional<std::vector<std::string>> links(std::string_view data, std::size_t hash) {
    auto r = sbx::index_gitlinks(data, hash);
    if (!r) return std::nullopt;
    return r->paths;
}

}  // namespace

TEST_CASE("the gitlinks of an index, in each version git writes", "[run][git]") {
    const std::vector<Entry> entries{{0100644, "README"},
                                     {0160000, "libs/foo"},
                                     {0100755, "libs/run.sh"},
                                     {0120000, "link"},
                                     {0160000, "src/a/inner", true}};
    const std::vector<std::string> want{"libs/foo", "src/a/inner"};
    CHECK(links(index_of(3, entries), 20) == want);
    CHECK(links(index_of(4, entries), 20) == want);
    CHECK(links(index_of(4, entries, 32), 32) == want);
    std::vector<Entry> v2 = entries;
    v2.back().extended = false;
    CHECK(links(index_of(2, v2), 20) == want);
    // A name of 8n - 62 bytes: the entry needs a whole 8 bytes of padding.
    CHECK(links(index_of(2, {{0160000, std::string(18, 'x')}}), 20) ==
          std::vector<std::string>{std::string(18, 'x')});
    // A name longer than 0xffe bytes: its length is in the NUL, not the flags.
    const std::string longname(5000, 'y');
    CHECK(links(index_of(2, {{0160000, longname}, {0160000, "z"}}), 20) ==
          std::vector<std::string>{longname, "z"});
    CHECK(links(index_of(2, {}), 20) == std::vector<std::string>{});
}

TEST_CASE("a split index names its shared index", "[run][git]") {
    std::string index = index_of(2, {{0160000, "a"}});
    std::string link = "link";
    put32(link, 20 + 8);  // the shared index's object name, then two empty bitmaps
    link.append("\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    link.append(12, '\0');
    link.append(8, '\0');
    std::string tree = "TREE";
    put32(tree, 3);
    tree.append("abc");
    const std::string whole = index + tree + link + std::string(20, '\x5a');  // + checksum
    const auto r = sbx::index_gitlinks(whole, 20);
    REQUIRE(r);
    CHECK(r->paths == std::vector<std::string>{"a"});
    CHECK(r->shared_index == "sharedindex.0123456789abcdef000000000000000000000000");
    // Without one, and with an extension cut short.
    CHECK(sbx::index_gitlinks(index + tree + std::string(20, 'z'), 20)->shared_index.empty());
    std::string cut = "link";
    put32(cut, 1000);
    cut.append(4, '\0');
    CHECK_FALSE(sbx::index_gitlinks(index + cut + std::string(20, 'z'), 20));
}

TEST_CASE("bytes git would not read as an index are no list", "[run][git]") {
    const std::string good = index_of(2, {{0160000, "a/b"}});
    CHECK_FALSE(links("", 20));
    CHECK_FALSE(links("DIRX" + good.substr(4), 20));
    std::string v5 = good;
    v5[7] = 5;
    CHECK_FALSE(links(v5, 20));
    // Cut anywhere inside the entry.
    for (std::size_t cut = 12; cut < good.size() - 1; ++cut)
        CHECK_FALSE(links(good.substr(0, cut), 20));
    // Extended flags in version 2.
    CHECK_FALSE(links(index_of(2, {{0160000, "a", true}}), 20));
    // Version 4 stripping more than the previous name holds.
    std::string v4 = index_of(4, {{0160000, "ab"}});
    v4[12 + 62] = 5;
    CHECK_FALSE(links(v4, 20));
}
