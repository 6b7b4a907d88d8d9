// The trust store of workspace policies: a .sbxrun.toml applies only when its bytes equal the
// copy the user approved.
#include "policy/trust.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;
namespace fs = std::filesystem;

namespace {

const std::string kDeny = "version = 1\n[filesystem]\ndeny = [\"${workspace}/secret\"]\n";

struct Fixture {
    TempDir dir;
    fs::path root = fs::canonical(dir.path());
    std::string ws = (root / "ws").string();
    std::string policy = ws + "/.sbxrun.toml";
    std::string store = (root / "config" / "sbxrun" / "trusted").string();
    ExpandContext ctx;
    Fixture() {
        fs::create_directories(ws);
        ctx.workspace = ws;
        ctx.home = (root / "home").string();
        ctx.tmpdir = "/tmp";
    }
};

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("trust: entry names are the percent-encoded canonical path", "[policy][trust]") {
    CHECK(trust_entry_name("/home/u/proj/.sbxrun.toml").value() ==
          "%2Fhome%2Fu%2Fproj%2F.sbxrun.toml");
    // '%' itself is encoded, so "a%2Fb" and "a/b" cannot collide; so are blanks and bytes > 127.
    CHECK(trust_entry_name("/a%2Fb").value() == "%2Fa%252Fb");
    CHECK(trust_entry_name("/a/b").value() == "%2Fa%2Fb");
    CHECK(trust_entry_name("/x y/\xc3\xa9~_-.").value() == "%2Fx%20y%2F%C3%A9~_-.");
    // Over NAME_MAX: refused, never truncated (two long paths would share a name).
    auto long_name = trust_entry_name("/" + std::string(100, 'd') + "/" + std::string(150, 'e'));
    REQUIRE_FALSE(long_name.ok());
    CHECK(long_name.error().kind == ErrorKind::limit);
    CHECK(trust_entry_name("/" + std::string(250, 'f')).ok());  // 3 + 250 bytes
}

TEST_CASE("trust: the key resolves the directory, not the file", "[policy][trust]") {
    Fixture f;
    write_text(f.policy, kDeny);
    fs::create_directory_symlink(f.ws, f.root / "link");
    auto through_link = read_trust_candidate((f.root / "link" / ".sbxrun.toml").string());
    REQUIRE(through_link.ok());
    CHECK(through_link->key == f.policy);
    CHECK(through_link->text == kDeny);
    CHECK(read_trust_candidate(f.ws + "/./.sbxrun.toml").value().key == f.policy);
    // The file itself a symlink: the key is its own place, not its target's.
    fs::create_directories(f.root / "other");
    fs::create_symlink(f.policy, f.root / "other" / ".sbxrun.toml");
    auto linked = read_trust_candidate((f.root / "other" / ".sbxrun.toml").string());
    REQUIRE(linked.ok());
    CHECK(linked->key == (fs::canonical(f.root / "other") / ".sbxrun.toml").string());
    CHECK(linked->text == kDeny);
    auto missing = read_trust_candidate((f.root / "nope" / ".sbxrun.toml").string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::not_found);
}

TEST_CASE("trust: round trip, then a change is refused", "[policy][trust]") {
    Fixture f;
    write_text(f.policy, kDeny);

    // Untrusted (no store at all): 122 with the command to run.
    auto untrusted = load_workspace_policy(f.policy, f.store, f.ctx);
    REQUIRE_FALSE(untrusted.ok());
    CHECK(untrusted.error().kind == ErrorKind::unenforceable);
    CHECK(untrusted.error().path == f.policy);
    CHECK(untrusted.error().message == f.policy +
                                           " is not trusted (new, or changed since it "
                                           "was trusted)");
    CHECK(untrusted.error().suggestion == "review it, then run: sbxrun --trust-policy " + f.policy);
    CHECK_FALSE(read_trusted_copy(f.store, f.policy, {}).value().has_value());

    auto entry = store_trusted_copy(f.store, f.policy, kDeny);
    REQUIRE(entry.ok());
    CHECK(*entry == f.store + "/" + trust_entry_name(f.policy).value());
    CHECK(read_text(*entry) == kDeny);
    CHECK(mode_of(f.store) == 0700);
    CHECK(mode_of(*entry) == 0600);
    CHECK(read_trusted_copy(f.store, f.policy, {}).value() == kDeny);
    // No temporary file is left behind.
    CHECK(std::distance(fs::directory_iterator(f.store), fs::directory_iterator()) == 1);

    auto trusted = load_workspace_policy(f.policy, f.store, f.ctx);
    REQUIRE(trusted.ok());
    REQUIRE(trusted->filesystem.deny.size() == 1);
    CHECK(trusted->filesystem.deny[0].path == f.ws + "/secret");

    // One byte more (a comment, even) is another policy: refused until trusted again.
    write_text(f.policy, kDeny + "# harmless?\n");
    auto changed = load_workspace_policy(f.policy, f.store, f.ctx);
    REQUIRE_FALSE(changed.ok());
    CHECK(changed.error().kind == ErrorKind::unenforceable);
    REQUIRE(store_trusted_copy(f.store, f.policy, kDeny + "# harmless?\n").ok());
    CHECK(load_workspace_policy(f.policy, f.store, f.ctx).ok());

    // Trust is per place: the same bytes in another workspace are not trusted.
    const std::string other = (f.root / "other" / ".sbxrun.toml").string();
    write_text(other, kDeny + "# harmless?\n");
    CHECK_FALSE(load_workspace_policy(other, f.store, f.ctx).ok());

    // No store known (no home): never trusted.
    CHECK_FALSE(load_workspace_policy(f.policy, "", f.ctx).ok());
}

TEST_CASE("trust: a symlinked or shared store is refused", "[policy][trust]") {
    Fixture f;
    write_text(f.policy, kDeny);
    // An attacker's directory, holding a "trusted" copy of the attacker's policy.
    const std::string evil = (f.root / "evil").string();
    REQUIRE(store_trusted_copy(evil, f.policy, kDeny).ok());
    fs::create_directories(fs::path(f.store).parent_path());
    fs::create_directory_symlink(evil, f.store);

    auto read = load_workspace_policy(f.policy, f.store, f.ctx);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == ErrorKind::usage);
    CHECK(read.error().path == f.store);
    auto stored = store_trusted_copy(f.store, f.policy, kDeny);
    REQUIRE_FALSE(stored.ok());
    CHECK(fs::is_symlink(f.store));
    fs::remove(f.store);

    // A symlinked entry in a real store is not followed either.
    REQUIRE(ensure_trust_store(f.store).ok());
    const std::string name = trust_entry_name(f.policy).value();
    fs::create_symlink(evil + "/" + name, f.store + "/" + name);
    auto via_link = read_trusted_copy(f.store, f.policy, {});
    REQUIRE_FALSE(via_link.ok());
    CHECK(via_link.error().kind == ErrorKind::usage);
    // Storing replaces the link itself (rename), leaving the link's target alone.
    REQUIRE(store_trusted_copy(f.store, f.policy, "version = 1\n").ok());
    CHECK_FALSE(fs::is_symlink(f.store + "/" + name));
    CHECK(read_text(evil + "/" + name) == kDeny);

    // A store that others can write to is refused.
    REQUIRE(::chmod(f.store.c_str(), 0777) == 0);
    CHECK_FALSE(read_trusted_copy(f.store, f.policy, {}).ok());
}

TEST_CASE("trust: the store follows the XDG rules of the user policy", "[policy][trust]") {
    ExpandContext ctx;
    ctx.home = "/home/fallback";
    CHECK(trust_store_dir(ctx) == "/home/fallback/.config/sbxrun/trusted");
    ctx.env = {{"HOME", "/home/u"}};
    CHECK(trust_store_dir(ctx) == "/home/u/.config/sbxrun/trusted");
    ctx.env.emplace_back("XDG_CONFIG_HOME", "relative");
    CHECK(trust_store_dir(ctx) == "/home/u/.config/sbxrun/trusted");
    ctx.env.back().second = "";
    CHECK(trust_store_dir(ctx) == "/home/u/.config/sbxrun/trusted");
    ctx.env.back().second = "/xdg/";
    CHECK(trust_store_dir(ctx) == "/xdg/sbxrun/trusted");
    CHECK(user_config_dir(ctx) == "/xdg/sbxrun");
}
