// Placeholders for missing protected names: they exist on the host only while a run lasts.
// Interface agreed with the plan and run stages (make_plan.cpp uses is_placeholder()).
#pragma once

#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// An empty file (or directory) created by sbxrun at parent/name, held with a shared flock.
// Destroying it releases the lock and removes the placeholder when no other run holds it.
class Placeholder {
public:
    Placeholder() = default;
    Placeholder(Placeholder&&) noexcept = default;
    Placeholder& operator=(Placeholder&&) noexcept;
    Placeholder(const Placeholder&) = delete;
    Placeholder& operator=(const Placeholder&) = delete;
    ~Placeholder();

    [[nodiscard]] int fd() const { return fd_.get(); }  // the placeholder itself (for binding)
    [[nodiscard]] const std::string& path() const { return path_; }

    void release();  // idempotent; what the destructor does

private:
    friend Result<Placeholder> acquire_placeholder(int, const std::string&, const std::string&,
                                                   bool);
    UniqueFd parent_;
    UniqueFd fd_;
    std::string name_;
    std::string path_;
};

// Create (or join another run's) placeholder `name` in the directory open as parent_dirfd
// (canonical path parent_path). Never follows a symlink; a real file of that name that is not
// a placeholder is an error (ErrorKind::os, EEXIST): the caller must re-plan.
[[nodiscard]] Result<Placeholder> acquire_placeholder(int parent_dirfd,
                                                      const std::string& parent_path,
                                                      const std::string& name, bool directory);

// True when fd refers to a placeholder made by sbxrun (a run's live one or a crashed run's).
[[nodiscard]] bool is_placeholder(int fd);

}  // namespace sbx
