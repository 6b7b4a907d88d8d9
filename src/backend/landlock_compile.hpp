// MountPlan -> Landlock ruleset (pure, given a directory lister): see landlock_compile.cpp.
#pragma once
// (being written: interface defined by the Landlock work)
