#include "supervisor/auth/keygen_command.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include <sodium.h>

#include "common/config.hpp"
#include "supervisor/auth/api_key.hpp"

namespace stratd::supervisor::auth {
namespace {

constexpr const char* kUsage =
    "usage: stratd keygen --name NAME --role viewer|operator|admin\n"
    "  Prints a new API key (shown this once: store it) and the [[auth.keys]]\n"
    "  entry to add to stratd's configuration, which holds only its hash.\n";

int usage(const std::string& why) {
  fprintf(stderr, "stratd keygen: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int run_keygen(int argc, const char* const* argv) {
  std::string name, role;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i], value;
    if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return 0;
    }
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return usage(std::string(arg) + " needs a value");
    }
    if (arg == "--name") {
      name = value;
    } else if (arg == "--role") {
      role = value;
    } else {
      return usage("unknown option " + std::string(arg));
    }
  }
  if (name.empty() || role.empty()) return usage("--name and --role are both needed");
  // Before any Argon2 work: a typo fails at once.
  if (auto st = check_key_name_and_role(name, role, ""); !st) return usage(st.error().message);
  std::string key = generate_key(name);
  auto hash = hash_key(key);
  if (!hash) {
    sodium_memzero(key.data(), key.size());
    fprintf(stderr, "stratd keygen: %s\n", hash.error().message.c_str());
    return 1;
  }
  // The key alone on the first line, for scripts; the entry after it.
  printf("%s\n\n[[auth.keys]]\nname = \"%s\"\nrole = \"%s\"\nhash = \"%s\"\n", key.c_str(), name.c_str(),
         role.c_str(), hash->c_str());
  fprintf(stderr,
          "stratd keygen: the key above is shown only this once; stratd keeps only its hash.\n"
          "Send it as 'Authorization: Bearer <key>' (or, from a browser's WebSocket, the subprotocols\n"
          "'stratd' and 'bearer.<key>'). Add the [[auth.keys]] entry to stratd's configuration and\n"
          "reload it (SIGHUP).\n");
  sodium_memzero(key.data(), key.size());
  return 0;
}

}  // namespace stratd::supervisor::auth
