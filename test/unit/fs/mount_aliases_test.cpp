// fs/mount_aliases.hpp: the other places a mount table shows a denied object at.
#include "fs/mount_aliases.hpp"

#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

namespace {

std::vector<std::string> paths(const std::vector<sbx::MountAlias>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.path + (a.inside ? " (part)" : ""));
    return out;
}

}  // namespace

TEST_CASE("mount aliases: bind mounts of the object, of a part of it, of what holds it",
          "[fs][mount_aliases]") {
    auto table = sbx::parse_mountinfo(
        "1 0 254:0 / / rw - ext4 /dev/vda rw\n"
        "2 1 0:21 / /proc rw - proc proc rw\n"
        "3 1 254:0 /home/u/.ssh /srv/keys rw - ext4 /dev/vda rw\n"
        "4 1 254:0 /home/u/.ssh/sub /srv/sub rw - ext4 /dev/vda rw\n"
        "5 1 254:0 /home /mnt/homes rw - ext4 /dev/vda rw\n"
        "6 1 254:0 / /sysroot rw - ext4 /dev/vda rw\n"
        "7 1 254:0 /home/u/.sshx /srv/other rw - ext4 /dev/vda rw\n"
        "8 1 254:1 /home/u/.ssh /srv/otherfs rw - ext4 /dev/vdb rw\n"
        "9 1 254:0 /home/u/.ssh/in /home/u/.ssh/in rw - ext4 /dev/vda rw\n");
    REQUIRE(table);
    const dev_t dev = makedev(254, 0);
    CHECK(paths(sbx::mount_aliases("/home/u/.ssh", dev, *table)) ==
          std::vector<std::string>{"/srv/keys", "/srv/sub (part)", "/mnt/homes/u/.ssh",
                                   "/sysroot/home/u/.ssh"});
    // Another filesystem's device (a btrfs subvolume's st_dev): nothing is compared.
    CHECK(sbx::mount_aliases("/home/u/.ssh", makedev(254, 1), *table).empty());
    // Reached through a bind mount itself: the other places, the original among them.
    CHECK(paths(sbx::mount_aliases("/srv/keys", dev, *table)) ==
          std::vector<std::string>{"/home/u/.ssh", "/srv/sub (part)", "/mnt/homes/u/.ssh",
                                   "/sysroot/home/u/.ssh"});
    // A file, and nothing else shows it but the two roots.
    CHECK(paths(sbx::mount_aliases("/etc/shadow", dev, *table)) ==
          std::vector<std::string>{"/sysroot/etc/shadow"});
}

TEST_CASE("mount aliases: a root mounted over, or nothing at all", "[fs][mount_aliases]") {
    auto table = sbx::parse_mountinfo(
        "1 0 254:0 / / rw - ext4 /dev/vda rw\n"
        "2 1 0:40 / /home rw - tmpfs tmpfs rw\n");
    REQUIRE(table);
    // /home is another filesystem now: the object's device does not match its mount.
    CHECK(sbx::mount_aliases("/home/u/.ssh", makedev(254, 0), *table).empty());
    CHECK(sbx::mount_aliases("/x", makedev(254, 0), {}).empty());
}
