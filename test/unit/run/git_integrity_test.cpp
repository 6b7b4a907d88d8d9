// The check after a run in filesystem.git = "commit" mode: a planted git directory is named, an
// old one or a plain directory is not, a must-stay-missing entry that appeared is moved aside,
// and the search says when its bound cut it short.
#include "run/git_integrity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/sbx-git-integrity.XXXXXX";
        path = fs::canonical(::mkdtemp(tmpl));
    }
    ~TempDir() { fs::remove_all(path); }
};

void bare_repo(const fs::path& dir) {
    fs::create_directories(dir / "objects");
    fs::create_directories(dir / "refs");
    std::ofstream(dir / "HEAD") << "ref: refs/heads/main\n";
    std::ofstream(dir / "config") << "[core]\n\tfsmonitor = touch /tmp/pwned\n";
}

sbx::GitWatch watch_of(const fs::path& ws, const fs::path& gitdir) {
    sbx::MountPlan plan;
    plan.git_worktrees = {ws.string(), ws.string()};
    plan.git_dirs = {gitdir.string()};
    return sbx::git_watch(plan, /*bwrap=*/false);
}

bool mentions(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines)
        if (l.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("a git directory planted during the run is reported, by its path", "[run][git]") {
    TempDir t;
    bare_repo(t.path / ".git");  // the plan's own: never searched
    fs::create_directories(t.path / "src/deep");
    auto w = watch_of(t.path, t.path / ".git");
    CHECK(w.worktrees.size() == 1);
    bare_repo(t.path / "src/deep/evil");
    auto r = sbx::check_git(w);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.changed[0].rfind((t.path / "src/deep/evil").string() + " ", 0) == 0);
    CHECK(r.notes.empty());
}

TEST_CASE("a HEAD and a commondir make a git directory too", "[run][git]") {
    TempDir t;
    auto w = watch_of(t.path, t.path / ".git");
    fs::create_directories(t.path / "wt");
    std::ofstream(t.path / "wt/HEAD") << "ref: refs/heads/x\n";
    std::ofstream(t.path / "wt/commondir") << "../elsewhere\n";
    CHECK(mentions(sbx::check_git(w).changed, (t.path / "wt").string()));
}

TEST_CASE("git directories older than the run, and plain directories, are not reported",
          "[run][git]") {
    TempDir t;
    bare_repo(t.path / "vendor/old.git");
    fs::create_directories(t.path / "a/b/c");
    std::ofstream(t.path / "a/HEAD") << "not a repository: no objects, refs or commondir\n";
    auto w = watch_of(t.path, t.path / ".git");
    w.start.tv_sec += 10;  // as if the run started after all of that
    auto r = sbx::check_git(w);
    CHECK(r.changed.empty());
}

TEST_CASE("a must-stay-missing entry that appeared is reported and moved aside", "[run][git]") {
    TempDir t;
    fs::create_directories(t.path / ".git");
    sbx::GitWatch w;
    w.must_stay_missing = {(t.path / ".git/commondir").string()};
    std::ofstream(t.path / ".git/commondir") << "/tmp/planted\n";
    auto r = sbx::check_git(w);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.changed[0].rfind((t.path / ".git/commondir").string() + " ", 0) == 0);
    REQUIRE(r.restored.size() == 1);
    CHECK_FALSE(fs::exists(t.path / ".git/commondir"));
    CHECK(fs::exists(t.path / (".git/commondir.sbxrun-planted." + std::to_string(::getpid()))));
}

TEST_CASE("the search is bounded and says so", "[run][git]") {
    TempDir t;
    fs::create_directories(t.path / "a/b/c/d");
    auto w = watch_of(t.path, t.path / ".git");
    w.max_depth = 2;
    bare_repo(t.path / "a/b/c/d/evil");
    auto r = sbx::check_git(w);
    CHECK(r.changed.empty());  // deeper than the bound: not found
    CHECK(mentions(r.notes, "stopped at its bound"));
    w.max_depth = 12;
    w.max_dirs = 2;
    CHECK(mentions(sbx::check_git(w).notes, "2 directories"));
    w.max_dirs = 20000;
    CHECK(mentions(sbx::check_git(w).changed, (t.path / "a/b/c/d/evil").string()));
}

TEST_CASE("a link the run made leads the search to its target; older links do not", "[run][git]") {
    TempDir t;
    TempDir other;
    bare_repo(other.path / "old/evil");
    fs::create_directory_symlink(other.path / "old", t.path / "old-link");
    auto w = watch_of(t.path, t.path / ".git");
    w.start.tv_sec += 10;  // the link and the repository are older than the run
    CHECK(sbx::check_git(w).changed.empty());
    auto now = watch_of(t.path, t.path / ".git");
    bare_repo(other.path / "new/evil");
    fs::create_directory_symlink(other.path / "new", t.path / "new-link");
    CHECK(mentions(sbx::check_git(now).changed, (other.path / "new/evil").string()));
}

TEST_CASE("a common directory (objects, refs, config, no HEAD) made by the run is reported",
          "[run][git]") {
    TempDir t;
    auto w = watch_of(t.path, t.path / ".git");
    fs::create_directories(t.path / "common/objects");
    fs::create_directories(t.path / "common/refs");
    std::ofstream(t.path / "common/config") << "[core]\n\tfsmonitor = touch /tmp/pwned\n";
    CHECK(mentions(sbx::check_git(w).changed, (t.path / "common").string()));
}

TEST_CASE("a worktree of a writable git directory must name it as its commondir", "[run][git]") {
    TempDir t;
    bare_repo(t.path / ".git");
    fs::create_directories(t.path / ".git/worktrees/good");
    fs::create_directories(t.path / ".git/worktrees/evil");
    std::ofstream(t.path / ".git/worktrees/good/commondir") << "../..\n";
    std::ofstream(t.path / ".git/worktrees/evil/commondir") << (t.path / "elsewhere").string();
    auto w = watch_of(t.path, t.path / ".git");
    w.start.tv_sec += 10;
    auto r = sbx::check_git(w);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.changed[0].rfind((t.path / ".git/worktrees/evil/commondir").string() + " ", 0) == 0);
    auto now = watch_of(t.path, t.path / ".git");
    std::ofstream(t.path / ".git/worktrees/good/config.worktree") << "[core]\n";
    CHECK(mentions(sbx::check_git(now).changed, "good/config.worktree"));
}

TEST_CASE("a rebase left half done with exec lines is reported; one without is not", "[run][git]") {
    TempDir t;
    bare_repo(t.path / ".git");
    fs::create_directories(t.path / ".git/rebase-merge");
    auto w = watch_of(t.path, t.path / ".git");
    std::ofstream(t.path / ".git/rebase-merge/git-rebase-todo") << "pick 123 one\n# x comment\n";
    CHECK(sbx::check_git(w).changed.empty());
    std::ofstream(t.path / ".git/rebase-merge/git-rebase-todo")
        << "pick 123 one\n  exec touch /tmp/p\n";
    auto r = sbx::check_git(w);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.changed[0].rfind((t.path / ".git/rebase-merge/git-rebase-todo").string() + " ", 0) ==
          0);
}

TEST_CASE("a .git file the run wrote leads the search to the git directory it names",
          "[run][git]") {
    TempDir t;
    TempDir other;
    fs::create_directories(t.path / "evil");
    auto w = watch_of(t.path, t.path / ".git");
    bare_repo(other.path / "planted");
    std::ofstream(t.path / "evil/.git") << "gitdir: " << (other.path / "planted").string() << "\n";
    CHECK(mentions(sbx::check_git(w).changed, (other.path / "planted").string()));
    // git worktree add: the new worktree's .git names an admin directory inside .git, which
    // the worktree checks judge (its commondir leads back): not reported.
    fs::remove_all(t.path / "evil");
    bare_repo(t.path / ".git");
    fs::create_directories(t.path / ".git/worktrees/wt2");
    std::ofstream(t.path / ".git/worktrees/wt2/HEAD") << "ref: refs/heads/wt2\n";
    std::ofstream(t.path / ".git/worktrees/wt2/commondir") << "../..\n";
    std::ofstream(t.path / ".git/worktrees/wt2/gitdir") << (t.path / "wt2/.git").string() << "\n";
    fs::create_directories(t.path / "wt2");
    std::ofstream(t.path / "wt2/.git") << "gitdir: " << (t.path / ".git/worktrees/wt2").string();
    CHECK(sbx::check_git(w).changed.empty());
    // ... but another directory's .git naming that admin directory is reported (review 51:
    // git there takes the protected config with a work tree of the run's choosing).
    fs::create_directories(t.path / "y");
    std::ofstream(t.path / "y/.git") << "gitdir: " << (t.path / ".git/worktrees/wt2").string();
    CHECK(mentions(sbx::check_git(w).changed, (t.path / ".git/worktrees/wt2").string()));
}

TEST_CASE("a git directory moved in from deeper than the search is new to its place",
          "[run][git]") {
    // Sixth outside review: built 15 levels deep by one run (out of reach), moved to the top by
    // the next; its files keep their old times.
    TempDir t;
    const fs::path deep = t.path / "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o";
    bare_repo(deep);
    auto w = watch_of(t.path, t.path / ".git");
    CHECK(w.known.empty());
    fs::rename(deep, t.path / "evil");
    CHECK(mentions(sbx::check_git(w).changed,
                   (t.path / "evil").string() + " is a git directory that was not there"));
}

TEST_CASE("a git directory known before the run and left alone is not reported", "[run][git]") {
    TempDir t;
    bare_repo(t.path / "vendor/lib");
    auto w = watch_of(t.path, t.path / ".git");
    w.start.tv_sec += 10;  // as if the run started after it was made
    REQUIRE(w.known.size() == 1);
    CHECK(w.known[0].path == (t.path / "vendor/lib").string());
    CHECK(sbx::check_git(w).changed.empty());
    // Replaced by another directory of the same name: new to its place.
    fs::rename(t.path / "vendor/lib", t.path / "old");
    bare_repo(t.path / "vendor/lib");
    CHECK(mentions(sbx::check_git(w).changed, (t.path / "vendor/lib").string()));
}

TEST_CASE("an old .git file leads the search to a git directory made after it", "[run][git]") {
    // Sixth outside review: the pointer written by one run, the directory by the next.
    TempDir t, other;
    fs::create_directories(t.path / "sub");
    std::ofstream(t.path / "sub/.git") << "gitdir: " << (other.path / "evil").string() << "\n";
    auto w = watch_of(t.path, t.path / ".git");
    w.start.tv_sec += 10;  // the pointer is older than the run, and so is what follows
    bare_repo(other.path / "evil");
    CHECK(mentions(sbx::check_git(w).changed, (other.path / "evil").string()));
}

TEST_CASE("protect mode judges a dependency tree without entering it", "[run][git]") {
    TempDir t;
    fs::create_directories(t.path / "node_modules/pkg");
    sbx::MountPlan plan;
    sbx::MountOp root;
    root.kind = sbx::OpKind::bind_rw;
    root.dest = t.path.string();
    plan.ops.push_back(root);
    auto w = sbx::git_watch(plan, /*bwrap=*/false, t.path.string());
    REQUIRE(w.only_dangerous);
    bare_repo(t.path / "node_modules/pkg/evil");  // not entered: not found
    bare_repo(t.path / "lib");                    // level 1: found
    auto r = sbx::check_git(w);
    CHECK(mentions(r.changed, (t.path / "lib").string()));
    CHECK_FALSE(mentions(r.changed, "node_modules"));
}
