#pragma once
// Paths only stratd's own user may read: its state holds positions,
// context and trades. Directories are 0700 and files 0600 whatever the
// umask, and what an older stratd left with wider modes is narrowed at
// start. Only what this user owns is changed: a directory handed to us
// (systemd's, or an operator's) keeps its owner's choice.
#include <string>

#include "common/result.hpp"

namespace stratd::supervisor {

// Creates `dir` (and its parents) and makes it 0700. Errors: ConfigInvalid
// when it cannot be made, is not a directory, or (`must_own`: a directory
// in a place others can write, such as /tmp) belongs to another user.
Status make_private_dir(const std::string& dir, bool must_own = false);

// Strips group and other bits from `root` and everything below it that
// this user owns; symbolic links are neither followed nor changed.
void tighten_tree(const std::string& root);

// Strips group and other bits from one file this user owns, if it exists.
void tighten_file(const std::string& path);

// Opens (creating it 0600 if need be) a file only this user may read; an
// existing one is narrowed to 0600 too. Returns the descriptor or -1 (errno).
int open_private(const std::string& path, int flags);

}  // namespace stratd::supervisor
