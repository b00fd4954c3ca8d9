#include "supervisor/install_layout.hpp"

#include <filesystem>

namespace stratd::supervisor {

std::string program_dir() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
}

std::string shipped_strategies_dir() {
  return (std::filesystem::path(program_dir()) / STRATD_STRATEGIES_FROM_BIN).lexically_normal().string();
}

}  // namespace stratd::supervisor
