#include "cli/error_report.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

void report_error(const CliError& e, bool json, std::ostream& out, std::ostream& err) {
  if (e.exit == ExitCode::ServerError) {
    err << "stratctl: " << e.code << ": " << e.message << '\n';
  } else {
    err << "stratctl: " << e.message << '\n';
  }
  if (e.details.is_object()) {
    for (const auto& [key, value] : e.details.items()) {
      if (key == "fields" && value.is_object()) {
        for (const auto& [field, problem] : value.items()) {
          err << "  " << field << ": "
              << (problem.is_string() ? problem.get<std::string>()
                                      : problem.dump(-1, ' ', false, Json::error_handler_t::replace))
              << '\n';
        }
      } else {
        err << "  " << key << ": "
            << (value.is_string() ? value.get<std::string>()
                                  : value.dump(-1, ' ', false, Json::error_handler_t::replace))
            << '\n';
      }
    }
  } else if (!e.details.is_null()) {
    err << "  details: " << e.details.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
  err << std::flush;
  if (json && e.exit != ExitCode::Usage) {
    out << Json{{"error", {{"code", e.code}, {"message", e.message}, {"details", e.details}}}}.dump(
               -1, ' ', false, Json::error_handler_t::replace)
        << '\n'
        << std::flush;
  }
}

}  // namespace stratd::cli
