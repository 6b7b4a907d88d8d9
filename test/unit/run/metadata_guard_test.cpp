#include "run/metadata_guard.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "inner/landlock_apply.hpp"
#include "util/unique_fd.hpp"

namespace fs = std::filesystem;
using sbx::FileId;
using sbx::GuardRule;
using sbx::MetadataGuard;

namespace {

constexpr std::uint64_t kRead = sbx::ll::kReadFile | sbx::ll::kReadDir | sbx::ll::kExecute;
constexpr std::uint64_t kWrite = sbx::ll::fs_rights_for_abi(5);
constexpr mode_t kReg = S_IFREG | 0644;
const FileId root{1, 2}, ws{1, 10}, git{1, 11}, config{1, 12}, src{1, 13}, file{1, 14},
    outside{1, 20}, out_file{1, 21};

FileId id_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/sbx-guard.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("metadata guard: allowed beneath a writable root, refused elsewhere") {
    MetadataGuard g({{root, kRead}, {ws, kWrite}});
    CHECK(g.may_change({file, src, ws, root}, kReg));
    CHECK(g.may_change({ws, root}, S_IFDIR | 0755));
    CHECK_FALSE(g.may_change({out_file, outside, root}, kReg));
    CHECK_FALSE(g.may_change({root}, S_IFDIR | 0755));
}

TEST_CASE("metadata guard: a writable root itself keeps its mode, owner and times") {
    MetadataGuard g({{root, kRead}, {ws, kWrite}});
    g.keep_roots_as_they_are({ws});
    CHECK_FALSE(g.may_change({ws, root}, S_IFDIR | 01777));  // chmod 0777 /tmp: no
    CHECK(g.may_change({src, ws, root}, S_IFDIR | 0755));    // what is beneath it: yes
    CHECK(g.may_change({file, src, ws, root}, kReg));
}

TEST_CASE("metadata guard: a protected hole carved as the compile does (union of rules)") {
    // approximate: the root keeps only the hole's rights, its other entries get full rights.
    MetadataGuard g({{root, kRead}, {ws, kRead}, {git, kRead}, {src, kWrite}});
    CHECK(g.may_change({file, src, ws, root}, kReg));
    CHECK_FALSE(g.may_change({config, git, ws, root}, kReg));
    CHECK_FALSE(g.may_change({git, ws, root}, S_IFDIR | 0755));
    // A file rule grants writes to that file only.
    MetadataGuard with_file({{root, kRead}, {config, sbx::ll::kWriteFile}});
    CHECK(with_file.may_change({config, git, ws, root}, kReg));
    CHECK_FALSE(with_file.may_change({git, ws, root}, S_IFDIR | 0755));
}

TEST_CASE("metadata guard: device nodes, empty chains and unknown objects are refused") {
    MetadataGuard g({{ws, kWrite}});
    CHECK_FALSE(g.may_change({file, ws}, S_IFCHR | 0666));
    CHECK_FALSE(g.may_change({file, ws}, S_IFBLK | 0660));
    CHECK_FALSE(g.may_change({}, kReg));
    CHECK_FALSE(MetadataGuard().may_change({file, ws, root}, kReg));
    CHECK(g.may_change({file, ws}, S_IFLNK | 0777));
}

TEST_CASE("ancestry: a file's chain is the file, then each directory up to /, with names") {
    TempDir t;
    fs::create_directories(t.path / "a" / "b");
    std::ofstream(t.path / "a" / "b" / "f") << "x";
    sbx::UniqueFd fd(::open((t.path / "a" / "b" / "f").c_str(), O_PATH | O_CLOEXEC));
    REQUIRE(fd);
    mode_t mode = 0;
    std::vector<std::string> names;
    auto chain = sbx::ancestry(fd.get(), &mode, &names);
    REQUIRE(chain.ok());
    CHECK(S_ISREG(mode));
    REQUIRE(chain->size() >= 5);
    CHECK((*chain)[0] == id_of(t.path / "a" / "b" / "f"));
    CHECK((*chain)[1] == id_of(t.path / "a" / "b"));
    CHECK((*chain)[2] == id_of(t.path / "a"));
    CHECK((*chain)[3] == id_of(t.path));
    CHECK(chain->back() == id_of("/"));
    // Each object's name in the directory after it, the root's "" last.
    REQUIRE(names.size() == chain->size());
    CHECK(names[0] == "f");
    CHECK(names[1] == "b");
    CHECK(names[2] == "a");
    CHECK(names[3] == t.path.filename().string());
    CHECK(names.back().empty());

    // A directory's own chain starts with itself.
    sbx::UniqueFd dfd(::open((t.path / "a").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto dchain = sbx::ancestry(dfd.get(), &mode, &names);
    REQUIRE(dchain.ok());
    CHECK(S_ISDIR(mode));
    CHECK((*dchain)[0] == id_of(t.path / "a"));
    CHECK((*dchain)[1] == id_of(t.path));
    REQUIRE(names.size() == dchain->size());
    CHECK(names[0] == "a");
    // Renamed meanwhile: the name it has now.
    fs::rename(t.path / "a", t.path / "moved");
    REQUIRE(sbx::ancestry(dfd.get(), &mode, &names).ok());
    CHECK(names[0] == "moved");
}

TEST_CASE("ancestry: a symlink is itself, in the directory that holds it") {
    TempDir t;
    fs::create_directories(t.path / "in");
    fs::create_symlink("/etc/passwd", t.path / "in" / "l");
    sbx::UniqueFd fd(::open((t.path / "in" / "l").c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    REQUIRE(fd);
    mode_t mode = 0;
    auto chain = sbx::ancestry(fd.get(), &mode);
    REQUIRE(chain.ok());
    CHECK(S_ISLNK(mode));
    CHECK((*chain)[0] == id_of(t.path / "in" / "l"));
    CHECK((*chain)[1] == id_of(t.path / "in"));
}

TEST_CASE("ancestry: an object that was removed or moved away is refused, not placed") {
    TempDir t;
    std::ofstream(t.path / "f") << "x";
    sbx::UniqueFd fd(::open((t.path / "f").c_str(), O_PATH | O_CLOEXEC));
    REQUIRE(fd);
    fs::remove(t.path / "f");
    auto gone = sbx::ancestry(fd.get(), nullptr);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().sys_errno == EPERM);

    // Another file now has the name: the name no longer leads to this object.
    std::ofstream(t.path / "g") << "y";
    sbx::UniqueFd gfd(::open((t.path / "g").c_str(), O_PATH | O_CLOEXEC));
    fs::rename(t.path / "g", t.path / "h");
    std::ofstream(t.path / "g") << "z";
    auto chain = sbx::ancestry(gfd.get(), nullptr);
    // /proc names it by its new name, h: still placed correctly, by identity.
    REQUIRE(chain.ok());
    CHECK((*chain)[0] == id_of(t.path / "h"));
    CHECK((*chain)[1] == id_of(t.path));
}

TEST_CASE("metadata guard: from_spec identifies the rules through their descriptors") {
    TempDir t;
    fs::create_directories(t.path / "w");
    sbx::UniqueFd wfd(::open((t.path / "w").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    sbx::LandlockSpec spec;
    spec.rules.push_back({wfd.get(), kWrite});
    auto g = MetadataGuard::from_spec(spec);
    REQUIRE(g.ok());
    std::ofstream(t.path / "w" / "f") << "x";
    sbx::UniqueFd fd(::open((t.path / "w" / "f").c_str(), O_PATH | O_CLOEXEC));
    auto chain = sbx::ancestry(fd.get(), nullptr);
    REQUIRE(chain.ok());
    CHECK(g->may_change(*chain, kReg));
    sbx::UniqueFd outside(::open(t.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto out_chain = sbx::ancestry(outside.get(), nullptr);
    REQUIRE(out_chain.ok());
    CHECK_FALSE(g->may_change(*out_chain, S_IFDIR | 0755));
}

// A writable HOME's top under Landlock: no new dot-name, a protected one as before, and every
// other name with the walk's rights.
TEST_CASE("entry rights: a restricted HOME with dot_names gives no new dot-name its rights") {
    sbx::GuardRestricted top{ws, kWrite, {".git"}, {git}, true};
    MetadataGuard g({{root, kRead}, {ws, kRead}, {git, kRead}}, {top});
    using sbx::ll::kMakeReg;
    CHECK((g.entry_rights({ws, root}, ".lesskey") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, ".Node_Modules") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, ".git") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, ".bash_history") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, "notes.txt") & kMakeReg) != 0);
    sbx::GuardRestricted plain{ws, kWrite, {".git"}, {git}};
    MetadataGuard without({{root, kRead}, {ws, kRead}, {git, kRead}}, {plain});
    CHECK((without.entry_rights({ws, root}, ".lesskey") & kMakeReg) != 0);
}

// The top of a writable root that holds a protected .git and must not get a .agents: the
// compile gives it only the hole's rights; the guard gives back what the policy allows.
TEST_CASE("entry rights: a restricted root gives its walk's rights to what leads to no hole") {
    const FileId fresh{1, 30}, fresh_file{1, 31}, secret{1, 32}, in_secret{1, 33};
    sbx::GuardRestricted top{ws, kWrite, {".git", ".AGENTS", "secret"}, {git, secret}};
    MetadataGuard g({{root, kRead}, {ws, kRead}, {git, kRead}, {src, kWrite}}, {top});
    using sbx::ll::kMakeDir;
    using sbx::ll::kMakeReg;
    // Natively: nothing can be made at the root.
    CHECK((g.native_rights({ws, root}) & kMakeReg) == 0);
    // The policy: a new name at the root, but never a protected one, in any case.
    CHECK((g.entry_rights({ws, root}, "build") & kMakeDir) != 0);
    CHECK((g.entry_rights({ws, root}, ".git") & kMakeDir) == 0);
    CHECK((g.entry_rights({ws, root}, ".GIT") & kMakeDir) == 0);
    CHECK((g.entry_rights({ws, root}, ".agents") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, "..") & kMakeReg) == 0);
    CHECK((g.entry_rights({ws, root}, "a/b") & kMakeReg) == 0);
    // What is new beneath the root (no rule of its own) has the walk's rights...
    CHECK((g.policy_rights({fresh_file, fresh, ws, root}) & sbx::ll::kWriteFile) != 0);
    CHECK((g.entry_rights({fresh, ws, root}, "x") & kMakeReg) != 0);
    CHECK(g.may_change({fresh_file, fresh, ws, root}, kReg));
    // ...but not what lies in an entry that leads to a hole (a denied directory has no rule).
    CHECK((g.policy_rights({in_secret, secret, ws, root}) & sbx::ll::kWriteFile) == 0);
    CHECK((g.entry_rights({secret, ws, root}, "x") & kMakeReg) == 0);
    CHECK_FALSE(g.may_change({in_secret, secret, ws, root}, kReg));
    // What has a rule is decided by it: .git's content stays read-only.
    CHECK((g.entry_rights({git, ws, root}, "hooks") & kMakeDir) == 0);
    CHECK((g.policy_rights({config, git, ws, root}) & sbx::ll::kWriteFile) == 0);
    // A read-only walk's restricted directory never gives write rights.
    sbx::GuardRestricted ro{outside, kRead, {"hidden"}, {}};
    MetadataGuard r({{root, kRead}, {outside, 0}}, {ro});
    CHECK((r.entry_rights({outside, root}, "new") & kMakeReg) == 0);
}

TEST_CASE("entry rights: the guard reads a restricted directory's entries from disk") {
    TempDir t;
    fs::create_directory(t.path / ".git");
    fs::create_directory(t.path / "src");
    sbx::UniqueFd dir(::open(t.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir);
    sbx::LandlockSpec spec;
    spec.rules.push_back({dir.get(), kRead});
    std::vector<sbx::LandlockRestrictedDir> restricted{
        {dir.get(), t.path.string(), kWrite, kRead, {".agents", ".git"}}};
    auto g = MetadataGuard::from_spec(spec, restricted);
    REQUIRE(g.ok());
    const FileId top = id_of(t.path), dot_git = id_of(t.path / ".git"), s = id_of(t.path / "src");
    // .git exists: its identity is known, so nothing beneath it borrows the root's rights.
    CHECK((g->policy_rights({FileId{9, 9}, dot_git, top}) & sbx::ll::kWriteFile) == 0);
    CHECK((g->policy_rights({FileId{9, 9}, s, top}) & sbx::ll::kWriteFile) != 0);
    CHECK((g->entry_rights({top}, ".agents") & sbx::ll::kMakeDir) == 0);
    CHECK((g->entry_rights({top}, "new") & sbx::ll::kMakeDir) != 0);
}

TEST_CASE("policy rights: what the host put at a hole's name is the hole (by name)") {
    // The host replaced ws/secret (a denied directory) and ws/cred.txt (a denied file) while the
    // sandbox ran: new identities the guard never saw, at the names of the holes.
    const FileId new_secret{1, 40}, in_new{1, 41}, new_cred{1, 42}, fresh{1, 43};
    sbx::GuardRestricted top{ws, kWrite, {"secret", "cred.txt", ".Codex"}, {}};
    MetadataGuard g({{root, kRead}, {ws, kRead}}, {top});
    using V = std::vector<std::string>;
    // Without names (identities only), as before: the walk's rights.
    CHECK((g.policy_rights({new_cred, ws, root}) & sbx::ll::kWriteFile) != 0);
    // With the names: refused, the directory's content too, whatever the case.
    const V cred_names{"cred.txt", "ws", ""}, in_names{"k", "secret", "ws", ""};
    CHECK((g.policy_rights({new_cred, ws, root}, &cred_names) & sbx::ll::kWriteFile) == 0);
    CHECK((g.policy_rights({in_new, new_secret, ws, root}, &in_names) & sbx::ll::kWriteFile) == 0);
    const V secret_names{"secret", "ws", ""}, codex{".CODEX", "ws", ""},
        notes{"notes.txt", "ws", ""}, unknown{};
    CHECK((g.entry_rights({new_secret, ws, root}, "x", &secret_names) & sbx::ll::kMakeReg) == 0);
    CHECK_FALSE(g.may_change({new_cred, ws, root}, kReg, &cred_names));
    CHECK((g.policy_rights({fresh, ws, root}, &codex) & sbx::ll::kWriteFile) == 0);
    // Another name: the walk's rights, as before.
    CHECK((g.policy_rights({fresh, ws, root}, &notes) & sbx::ll::kWriteFile) != 0);
    // Names asked for but not known (the path did not match the chain): no walk's rights.
    CHECK((g.policy_rights({fresh, ws, root}, &unknown) & sbx::ll::kWriteFile) == 0);
}
