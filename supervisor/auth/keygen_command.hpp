#pragma once
// `stratd keygen --name N --role R`: a new API key, printed once, and the
// [[auth.keys]] entry (its Argon2id hash) for stratd's configuration.
namespace stratd::supervisor::auth {

// argv without the program and "keygen". Returns the exit code.
int run_keygen(int argc, const char* const* argv);

}  // namespace stratd::supervisor::auth
