// stratd: the supervisor. Parses configuration and runs the daemon.
#include <sys/stat.h>

#include <cstdio>
#include <string_view>

#include "common/config.hpp"
#include "common/logging.hpp"
#include "supervisor/app.hpp"
#include "supervisor/auth/keygen_command.hpp"
#include "supervisor/install_layout.hpp"
#include "supervisor/instance_record.hpp"

int main(int argc, char** argv) {
  // Private by default, whatever the caller's umask: stratd's state holds
  // positions, context and trades, and not everything that creates a file
  // takes a mode from us (SQLite's database, ZeroMQ's ipc:// sockets,
  // spdlog, the directories std::filesystem makes). Our own files are
  // created with explicit modes as well (private_paths.hpp); workers and
  // the feed inherit this mask.
  umask(077);
  if (argc >= 2 && std::string_view(argv[1]) == "keygen") return stratd::supervisor::auth::run_keygen(argc - 2, argv + 2);
  auto loaded = stratd::load_config(argc, argv);
  if (!loaded) {
    fprintf(stderr, "stratd: %s\n%s", loaded.error().message.c_str(), stratd::usage_text().c_str());
    return 2;
  }
  if (loaded->action == stratd::CliAction::Help) {
    fputs(stratd::usage_text().c_str(), stdout);
    return 0;
  }
  if (loaded->action == stratd::CliAction::SettingsTable) {
    fputs(stratd::settings_table().c_str(), stdout);
    return 0;
  }
  if (loaded->action == stratd::CliAction::Version) {
    printf("stratd %s\n", STRATD_VERSION);
    return 0;
  }
  if (loaded->action == stratd::CliAction::CheckConfig) {
    fputs(stratd::describe_config(*loaded).c_str(), stdout);
    return 0;
  }
  if (loaded->action == stratd::CliAction::Cleanup) {
    stratd::supervisor::cleanup_stale_instances(stdout);
    return 0;
  }
  stratd::Config cfg = loaded->config;
  if (auto st = stratd::resolve_paths(cfg, stratd::supervisor::shipped_strategies_dir()); !st) {
    fprintf(stderr, "stratd: %s\n", st.error().message.c_str());
    return 2;
  }
  stratd::init_logging("stratd", cfg.log.level,
                       cfg.log.format == "json" ? stratd::LogFormat::Json : stratd::LogFormat::Text);
  for (const auto& notice : loaded->notices) spdlog::warn("{}", notice);
  try {
    return stratd::supervisor::run_stratd(cfg, loaded->config, [argc, argv] { return stratd::load_config(argc, argv); });
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
