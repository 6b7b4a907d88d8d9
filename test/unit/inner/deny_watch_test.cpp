// The deny watcher's answers (inner/deny_watch.hpp), request by request, without a kernel: what
// each FUSE request gets, and which ones count as a read of the denied path.
#include "inner/deny_watch.hpp"

#include <linux/fuse.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

using sbx::answer_fuse_request;
using sbx::kFuseAnswerMax;
using sbx::ObservedRead;

namespace {

std::vector<unsigned char> request(std::uint32_t opcode, std::uint64_t node, const void* arg,
                                   std::size_t arg_len, std::uint64_t unique = 42) {
    fuse_in_header h{};
    h.len = static_cast<std::uint32_t>(sizeof h + arg_len);
    h.opcode = opcode;
    h.unique = unique;
    h.nodeid = node;
    h.pid = 7;
    std::vector<unsigned char> in(h.len);
    std::memcpy(in.data(), &h, sizeof h);
    if (arg_len) std::memcpy(in.data() + sizeof h, arg, arg_len);
    return in;
}

struct Answered {
    std::size_t len = 0;
    fuse_out_header head{};
    unsigned char out[kFuseAnswerMax]{};
    ObservedRead read;
};

Answered answer(const std::vector<unsigned char>& in, bool directory = true) {
    Answered a;
    a.len =
        answer_fuse_request(in.data(), in.size(), directory, 1000, 1001, 1700000000, a.out, a.read);
    if (a.len >= sizeof a.head) std::memcpy(&a.head, a.out, sizeof a.head);
    return a;
}

}  // namespace

TEST_CASE("deny watcher: the handshake asks for no feature, at the kernel's version or ours") {
    fuse_init_in init{};
    init.major = FUSE_KERNEL_VERSION;
    init.minor = 99;
    init.flags = ~0u;
    const Answered a = answer(request(FUSE_INIT, 0, &init, sizeof init));
    REQUIRE(a.len == sizeof(fuse_out_header) + sizeof(fuse_init_out));
    CHECK(a.head.error == 0);
    CHECK(a.head.unique == 42);
    fuse_init_out r{};
    std::memcpy(&r, a.out + sizeof a.head, sizeof r);
    CHECK(r.major == FUSE_KERNEL_VERSION);
    CHECK(r.minor == FUSE_KERNEL_MINOR_VERSION);
    CHECK(r.flags == 0);
    CHECK_FALSE(a.read.seen);
    init.minor = 26;
    std::memcpy(&r, answer(request(FUSE_INIT, 0, &init, sizeof init)).out + sizeof a.head,
                sizeof r);
    CHECK(r.minor == 26);
    init.major = 8;
    CHECK(answer(request(FUSE_INIT, 0, &init, sizeof init)).head.error == -EPROTO);
}

TEST_CASE("deny watcher: the root is an empty directory or file of mode 0000, as bwrap's was") {
    for (bool dir : {true, false}) {
        fuse_getattr_in g{};
        const Answered a = answer(request(FUSE_GETATTR, FUSE_ROOT_ID, &g, sizeof g), dir);
        REQUIRE(a.len == sizeof(fuse_out_header) + sizeof(fuse_attr_out));
        fuse_attr_out r{};
        std::memcpy(&r, a.out + sizeof a.head, sizeof r);
        CHECK(r.attr.mode == (dir ? S_IFDIR : S_IFREG));
        CHECK(r.attr.size == 0);
        CHECK(r.attr.uid == 1000);
        CHECK(r.attr.gid == 1001);
        CHECK_FALSE(a.read.seen);  // stat(2) reads no content
    }
}

TEST_CASE("deny watcher: lookups, opens, listings and access checks are refused and seen") {
    const char name[] = "id_rsa";
    // The name is a view into the request: kept alive while it is looked at (ASan).
    const auto lookup = request(FUSE_LOOKUP, FUSE_ROOT_ID, name, sizeof name);
    Answered a = answer(lookup);
    CHECK(a.head.error == -EACCES);
    CHECK(a.read.seen);
    CHECK(a.read.name == "id_rsa");
    for (std::uint32_t op : std::vector<std::uint32_t>{FUSE_OPEN, FUSE_OPENDIR}) {
        fuse_open_in o{};
        a = answer(request(op, FUSE_ROOT_ID, &o, sizeof o));
        CHECK(a.head.error == -EACCES);
        CHECK(a.read.seen);
        CHECK(a.read.name.empty());
    }
    fuse_access_in acc{};
    acc.mask = 4;  // R_OK
    a = answer(request(FUSE_ACCESS, FUSE_ROOT_ID, &acc, sizeof acc));
    CHECK(a.head.error == -EACCES);
    CHECK(a.read.seen);
    acc.mask = 0;  // F_OK: it exists, and nothing was read
    a = answer(request(FUSE_ACCESS, FUSE_ROOT_ID, &acc, sizeof acc));
    CHECK(a.head.error == 0);
    CHECK_FALSE(a.read.seen);
    // A name that is not NUL-terminated within the request is no name.
    a = answer(request(FUSE_LOOKUP, FUSE_ROOT_ID, "abc", 3));
    CHECK(a.head.error == -EACCES);
    CHECK_FALSE(a.read.seen);
}

TEST_CASE(
    "deny watcher: what it does not know is refused, ENOSYS only for statx; some get no answer") {
    // ENOSYS to FUSE_ACCESS would make the kernel allow every later access check.
    for (std::uint32_t op : std::vector<std::uint32_t>{
             FUSE_MKDIR, FUSE_CREATE, FUSE_READ, FUSE_READLINK, FUSE_SETATTR, FUSE_RENAME2, 4242}) {
        const char arg[64] = {};
        const Answered a = answer(request(op, FUSE_ROOT_ID, arg, sizeof arg));
        INFO("opcode " << op);
        CHECK(a.head.error == -EACCES);
    }
    const char arg[16] = {};
    // FUSE_STATX (52) alone: ENOSYS there means "answer statx from GETATTR" (a stat, not a
    // read; coreutils' stat failed where ls -ld worked).
    CHECK(answer(request(52, FUSE_ROOT_ID, arg, sizeof arg)).head.error == -ENOSYS);
    CHECK(answer(request(FUSE_FORGET, FUSE_ROOT_ID, arg, sizeof arg)).len == 0);
    CHECK(answer(request(FUSE_INTERRUPT, 0, arg, sizeof arg)).len == 0);
    // A request shorter than its header, or whose length field lies, is dropped.
    auto bad = request(FUSE_LOOKUP, FUSE_ROOT_ID, "x", 2);
    bad.pop_back();
    CHECK(answer(bad).len == 0);
    CHECK(answer(std::vector<unsigned char>(8, 0)).len == 0);
}
