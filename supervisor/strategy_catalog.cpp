#include "supervisor/strategy_catalog.hpp"

#include <algorithm>
#include <filesystem>

#include "common/strategy_source.hpp"

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {
bool inside(const fs::path& dir, const fs::path& p) {
  auto d = dir.begin(), q = p.begin();
  for (; d != dir.end(); ++d, ++q) {
    if (q == p.end() || *d != *q) return false;
  }
  return q != p.end();
}
}  // namespace

Expected<ResolvedStrategy> StrategyCatalog::resolve(const std::string& relative) const {
  auto bad = [&](const std::string& why) {
    return fail(ErrorCode::InvalidStrategyPath, "strategy_path '" + relative + "' " + why);
  };
  if (relative.empty() || relative.size() > 512) return bad("must be 1 to 512 characters");
  if (relative.find('\0') != std::string::npos) return bad("contains a NUL byte");
  const fs::path rel(relative);
  if (rel.is_absolute()) return bad("must be relative to the strategies directory");
  const fs::path normal = rel.lexically_normal();
  if (normal.empty() || *normal.begin() == "..") return bad("points outside the strategies directory");
  std::error_code ec;
  const fs::path joined = fs::path(dir_) / normal;
  // Resolving symlinks too: a link inside that points outside is outside.
  const fs::path real = fs::weakly_canonical(joined, ec);
  if (ec || !inside(fs::path(dir_), real)) return bad("points outside the strategies directory");
  if (!fs::exists(real, ec)) {
    return fail(ErrorCode::StrategyNotFound, "strategy '" + normal.string() + "' not found");
  }
  if (!fs::is_regular_file(real, ec)) return bad("is not a file");
  return ResolvedStrategy{normal.string(), real.string()};
}

Status StrategyCatalog::compile(const ResolvedStrategy& s) const {
  auto source = read_strategy_file(s.absolute, s.relative);
  if (!source) return Unexpected<Error>{source.error()};
  return compile_strategy(*source, s.relative);
}

std::vector<StrategyInfo> StrategyCatalog::list() const {
  std::vector<StrategyInfo> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".lua") {
      out.push_back({fs::relative(it->path(), dir_, ec).string(), uint64_t(it->file_size(ec))});
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return out;
}

}  // namespace stratd::supervisor
