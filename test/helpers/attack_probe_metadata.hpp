// attack_probe's metadata subcommands (test/attacks/metadata.sh): every metadata system call
// in each of its variants, each made directly and its errno printed.
#pragma once

// meta PATH all|follow: one line per variant, "<variant> OK" or "<variant> <ERRNO NAME>".
//   follow skips the variants that act on a symlink itself (l*, AT_SYMLINK_NOFOLLOW).
// meta-race LINK INSIDE OUTSIDE N: a child process swaps the symlink LINK between INSIDE and
//   OUTSIDE while this one chmods through LINK N times; prints "<succeeded> <refused>".
int do_metadata(int argc, char** argv);
