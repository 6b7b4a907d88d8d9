// inner/mount_table.hpp: which places of the sandbox's view a mount lets the command write,
// for the entry broker's choice of the directories that need a Landlock rule.
#include "inner/mount_table.hpp"

#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

using sbx::MountPoint;
using sbx::parse_mountinfo;
using sbx::writable_below;

namespace {
MountPoint mp(std::string path, bool writable) {
    MountPoint m;
    m.path = std::move(path);
    m.writable = writable;
    return m;
}
}  // namespace

TEST_CASE("mountinfo lines give mount points and whether they can be written",
          "[inner][mount_table]") {
    auto m = parse_mountinfo(
        "1 0 254:0 / / ro,nosuid - ext4 /dev/vda rw\n"
        "2 1 0:21 / /proc rw,relatime - proc proc rw\n"
        "3 1 254:0 /srv/w /home/u/my\\040work rw shared:1 - ext4 /dev/vda rw\n"
        "4 1 0:30 / /mnt/iso rw master:2 - iso9660 /dev/sr0 ro\n"
        "5 1 254:0 /x /a\\134b rw - ext4 /dev/vda rw\n");
    REQUIRE(m);
    REQUIRE(m->size() == 5);
    CHECK((*m)[0].path == "/");
    CHECK_FALSE((*m)[0].writable);  // the mount is read-only
    CHECK((*m)[1].writable);
    CHECK((*m)[2].path == "/home/u/my work");  // \040 and optional fields
    CHECK((*m)[2].writable);
    CHECK_FALSE((*m)[3].writable);  // the superblock is read-only
    CHECK((*m)[4].path == "/a\\b");
    // The mount ID, which statx's stx_mnt_id names (the metadata calls' verdict).
    CHECK((*m)[0].id == 1);
    CHECK((*m)[4].id == 5);
    // What of its filesystem each shows, and which filesystem (st_dev's numbering).
    CHECK((*m)[2].root == "/srv/w");
    CHECK((*m)[2].dev == makedev(254, 0));
    CHECK((*m)[3].dev == makedev(0, 30));
    CHECK((*m)[4].root == "/x");
    CHECK_FALSE(parse_mountinfo("1 0 254 / / rw - ext4 x rw\n"));
    CHECK_FALSE(parse_mountinfo("1 0 254:0 relative / rw - ext4 x rw\n"));
    CHECK_FALSE(parse_mountinfo("x1 0 0:1 / / rw - ext4 x rw\n"));
    // Not mountinfo: the caller treats every place as writable.
    CHECK_FALSE(parse_mountinfo("garbage\n"));
    CHECK_FALSE(parse_mountinfo("1 0 0:1 / relative rw - ext4 x rw\n"));
    CHECK_FALSE(parse_mountinfo("1 0 0:1 / /bad\\04x rw - ext4 x rw\n"));
    CHECK(parse_mountinfo("")->empty());
}

TEST_CASE("writable_below names the entries that lead to a writable mount",
          "[inner][mount_table]") {
    const std::vector<MountPoint> m = {
        mp("/", false),          mp("/proc", true),         mp("/dev", true),
        mp("/home/u", false),    mp("/home/u/ws", true),    mp("/home/u/.cache/pip", true),
        mp("/home/u/ro", false), mp("/home/u/ro/in", true), mp("/tmpx", false),
        mp("/tmpx", true),  // stacked: any writable one counts
    };
    auto root = writable_below("/", m);
    CHECK_FALSE(root.writable);
    CHECK(root.toward == std::vector<std::string>{"dev", "home", "proc", "tmpx"});
    auto home = writable_below("/home/u", m);
    CHECK_FALSE(home.writable);
    CHECK(home.toward == std::vector<std::string>{".cache", "ro", "ws"});
    CHECK(writable_below("/home/u/ws", m).writable);
    CHECK(writable_below("/home/u/ws/deep/er", m).writable);
    CHECK_FALSE(writable_below("/home/u/wsx", m).writable);  // a prefix of the text only
    CHECK(writable_below("/tmpx", m).writable);
    CHECK(writable_below("/home/u/.cache", m).toward == std::vector<std::string>{"pip"});
    // Outside every mount this view shows: nothing is known, so writable.
    CHECK(writable_below("/x", std::vector<MountPoint>{mp("/y", false)}).writable);
}
