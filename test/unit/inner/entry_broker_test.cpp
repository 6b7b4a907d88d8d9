// The entry broker's decisions (inner/entry_broker.hpp), on identities, without processes; and
// its preparation on a real directory tree (P, the granted subdirectories).
#include "inner/entry_broker.hpp"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "inner/landlock_apply.hpp"
#include "inner/metadata_perform.hpp"
#include "skip.hpp"

using namespace sbx;
namespace fs = std::filesystem;
using Reach = EntryBrokerRules::Reach;

TEST_CASE("entry broker: the first of granted or P along the ancestry decides") {
    const FileId root{1, 2}, home{1, 3}, ws{1, 4}, src{1, 5}, deep{1, 6}, fresh{1, 7}, etc{1, 8};
    EntryBrokerRules r;
    for (auto id : {root, home, ws}) r.add_protected(id);
    r.add_granted(src);
    r.add_granted(etc);
    CHECK(r.reach({ws, home, root}) == Reach::broker);       // the workspace top itself
    CHECK(r.reach({src, ws, home, root}) == Reach::native);  // an existing subdirectory
    CHECK(r.reach({deep, src, ws, home, root}) == Reach::native);
    CHECK(r.reach({fresh, ws, home, root}) == Reach::broker);  // made in P during the run
    CHECK(r.reach({etc, root}) == Reach::native);
    CHECK(r.reach({FileId{9, 9}}) == Reach::unknown);
    CHECK(r.reach({}) == Reach::unknown);
}

TEST_CASE("entry broker: a metadata call is performed only on a sandbox mount's object") {
    using V = EntryBrokerRules::MetadataVerdict;
    EntryBrokerRules r;
    r.add_mount(21, false);  // "/", read-only: the kernel answers EROFS itself
    r.add_mount(40, true);   // the workspace, writable
    CHECK(r.metadata_verdict(40, false) == V::allowed);
    CHECK(r.metadata_verdict(21, false) == V::allowed);
    CHECK(r.metadata_verdict(21, true) == V::allowed);  // a read-only top: EROFS, not ours
    // The workspace's own top: its mode is the host directory's (/tmp's sticky bit).
    CHECK(r.metadata_verdict(40, true) == V::top_of_writable_mount);
    // A mount of the host's (a file handed over as stdin), a pipe's or a socket's.
    CHECK(r.metadata_verdict(7, false) == V::not_a_sandbox_mount);
    CHECK(EntryBrokerRules().metadata_verdict(40, false) == V::not_a_sandbox_mount);
}

TEST_CASE("metadata calls: what may be done to a writable root's own top") {
    using metadata_calls::Call;
    const Call* chmod = metadata_calls::find(SYS_fchmod);
    const Call* chown = metadata_calls::find(SYS_fchown);
    const Call* times = metadata_calls::find(SYS_utimensat);
    const Call* xattr = metadata_calls::find(SYS_fsetxattr);
    REQUIRE((chmod && chown && times && xattr));
    struct stat top {};
    top.st_mode = S_IFDIR | 01777;
    top.st_uid = 0;
    top.st_gid = 0;
    MetadataArgs a;
    a.mode = 01777;
    CHECK(top_change(*chmod, a, top) == TopChange::nothing_to_do);  // tar's "./", unchanged
    a.mode = 0777;
    CHECK(top_change(*chmod, a, top) == TopChange::refuse);  // the sticky bit stays
    a.uid = 0;
    a.gid = static_cast<gid_t>(-1);
    CHECK(top_change(*chown, a, top) == TopChange::nothing_to_do);
    a.gid = 5;
    CHECK(top_change(*chown, a, top) == TopChange::refuse);
    CHECK(top_change(*times, a, top) == TopChange::perform);
    CHECK(top_change(*xattr, a, top) == TopChange::refuse);
}

TEST_CASE("entry broker: blocked names are per directory and compared without case") {
    const FileId ws{1, 4}, tmp{1, 9}, other{1, 10};
    EntryBrokerRules r;
    r.add_blocked(ws, {".claude", ".Envrc"}, false);
    r.add_blocked(tmp, {".git"}, true);
    CHECK(r.blocked(ws, ".claude"));
    CHECK(r.blocked(ws, ".CLAUDE"));
    CHECK(r.blocked(ws, ".envrc"));
    CHECK(r.blocked(ws, ".ENVRC"));
    CHECK_FALSE(r.blocked(ws, ".claude2"));
    CHECK_FALSE(r.blocked(ws, ".git"));  // blocked in tmp only
    CHECK_FALSE(r.blocked(ws, "claude"));
    CHECK_FALSE(r.blocked(other, ".claude"));
    CHECK(r.blocked(tmp, ".GIT"));
    // A case-folding directory: any non-ASCII name could fold onto a blocked one.
    CHECK(r.blocked(tmp, ".g\xc4\xb1t"));
    CHECK_FALSE(r.blocked(ws, ".cla\xc5\xbf"));  // not case-folding: an ordinary name
    CHECK_FALSE(r.blocked(tmp, "notes.txt"));
}

// A writable HOME's top (plan/home_dotfiles.hpp): no new dot-name at all, whatever the list
// says, not even a history (the twenty-second review made ~/.bash_history a link to
// ~/.bashrc); other names and other directories as before.
TEST_CASE("entry broker: a directory with dot_names refuses every new dot-name") {
    const FileId home{1, 5}, ws{1, 4};
    EntryBrokerRules r;
    r.add_blocked(home, {".bashrc"}, false, true);
    r.add_blocked(ws, {".claude"}, false);
    CHECK(r.blocked(home, ".bashrc"));
    CHECK(r.blocked(home, ".lesskey"));
    CHECK(r.blocked(home, ".Fzf.bash"));
    CHECK(r.blocked(home, ".x"));
    CHECK(r.blocked(home, ".bash_history"));
    CHECK(r.blocked(home, ".zsh_history"));
    CHECK_FALSE(r.blocked(home, "notes.txt"));
    CHECK_FALSE(r.blocked(home, "."));
    CHECK_FALSE(r.blocked(home, ".."));
    CHECK_FALSE(r.blocked(ws, ".lesskey"));  // only where it was asked
}

TEST_CASE("entry broker: preparation grants the subdirectories of P that are not in P") {
    if (landlock_effective_abi() < 2) {
        sbx::test::skip("Landlock ABI 2 is not available here");
        return;
    }
    char tmpl[] = "/tmp/sbx-broker-test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const fs::path top(tmpl);
    fs::create_directories(top / "ws" / "src" / "deep");
    fs::create_directories(top / "other");
    {
        std::FILE* f = std::fopen((top / "ws" / "file").c_str(), "w");
        std::fclose(f);
    }
    auto id = [](const fs::path& p) {
        struct stat st {};
        REQUIRE(::stat(p.c_str(), &st) == 0);
        return id_of(st);
    };
    const FileId ws = id(top / "ws");
    auto b = prepare_entry_broker({{(top / "ws").string(), ws.dev, ws.ino, {".claude"}}});
    REQUIRE(b.ok());
    CHECK(b->rules.is_protected(ws));
    CHECK(b->rules.is_protected(id(top)));
    CHECK(b->rules.is_protected(id("/")));
    CHECK(b->rules.is_granted(id(top / "ws" / "src")));
    CHECK(b->rules.is_granted(id(top / "other")));
    CHECK_FALSE(b->rules.is_granted(id(top / "ws" / "src" / "deep")));  // beneath a rule
    CHECK_FALSE(b->rules.is_granted(ws));
    CHECK(b->rules.blocked(ws, ".Claude"));
    CHECK(b->ruleset.valid());
    CHECK_FALSE(b->filter.empty());

    // A directory that is not the one planned refuses the run.
    auto wrong = prepare_entry_broker({{(top / "ws").string(), ws.dev, ws.ino + 1, {"x"}}});
    CHECK_FALSE(wrong.ok());
    // A path through a symlink too.
    fs::create_directory_symlink(top / "ws", top / "link");
    auto via = prepare_entry_broker({{(top / "link").string(), ws.dev, ws.ino, {"x"}}});
    CHECK_FALSE(via.ok());
    fs::remove_all(top);
}
