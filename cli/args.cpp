#include "cli/args.hpp"

#include <charconv>
#include <chrono>

#include "cli/format.hpp"
#include "common/split_list.hpp"

namespace stratd::cli {
namespace {

const OptionSpec* find_long(std::span<const OptionSpec> specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
  for (const auto& s : specs) {
    if (s.short_name != 0 && s.short_name == c) return &s;
  }
  return nullptr;
}

std::string shown(std::string_view word) { return std::string(word.substr(0, 80)); }

}  // namespace

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::list(std::string_view name) const {
  std::vector<std::string> out;
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return out;
  for (const auto& v : it->second) {
    for (auto& item : split_list(v)) out.push_back(std::move(item));
  }
  return out;
}

CliExpected<ParsedArgs> parse_args(const std::vector<std::string>& words, std::span<const OptionSpec> globals,
                                   const FindCommand& find_command) {
  ParsedArgs out;
  bool options_done = false;
  // The options a word may name: the globals, and the command's once known.
  auto lookup_long = [&](std::string_view name) -> const OptionSpec* {
    if (auto* g = find_long(globals, name)) return g;
    return out.command ? find_long(out.command->options, name) : nullptr;
  };
  auto lookup_short = [&](char c) -> const OptionSpec* {
    if (auto* g = find_short(globals, c)) return g;
    return out.command ? find_short(out.command->options, c) : nullptr;
  };
  auto where = [&] { return out.command ? " for '" + std::string(out.command->name) + "'" : std::string(); };
  auto store = [&](const OptionSpec& spec, std::string value) -> CliStatus {
    if (!spec.repeatable && out.has(spec.name)) return usage_error("--" + std::string(spec.name) + " is given twice");
    out.add(spec.name, std::move(value));
    return Ok{};
  };

  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!options_done && w == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && w.size() > 2 && w.compare(0, 2, "--") == 0) {
      const auto eq = w.find('=');
      const std::string name = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptionSpec* spec = lookup_long(name);
      if (!spec) return usage_error("unknown option '--" + shown(name) + "'" + where());
      std::string value;
      if (spec->value_name.empty()) {
        if (eq != std::string::npos) return usage_error("--" + name + " takes no value");
      } else if (eq != std::string::npos) {
        value = w.substr(eq + 1);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return usage_error("--" + name + " needs a value (" + std::string(spec->value_name) + ")");
      }
      if (auto s = store(*spec, std::move(value)); !s) return Unexpected<CliError>{s.error()};
      continue;
    }
    if (!options_done && w.size() > 1 && w[0] == '-' && w[1] != '-') {
      const OptionSpec* spec = lookup_short(w[1]);
      if (!spec) return usage_error("unknown option '" + shown(w) + "'" + where());
      std::string value;
      if (spec->value_name.empty()) {
        if (w.size() > 2) return usage_error("unknown option '" + shown(w) + "'" + where());
      } else if (w.size() > 2) {
        value = w.substr(2);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return usage_error("-" + std::string(1, w[1]) + " needs a value (" + std::string(spec->value_name) + ")");
      }
      if (auto s = store(*spec, std::move(value)); !s) return Unexpected<CliError>{s.error()};
      continue;
    }
    if (!out.command) {
      out.command = find_command(w);
      if (!out.command) return usage_error("unknown command '" + shown(w) + "'");
      continue;
    }
    out.positionals.push_back(w);
  }
  if (out.command && !out.has("help")) {
    const auto n = out.positionals.size();
    const std::string cmd(out.command->name);
    if (n < out.command->min_args) {
      return usage_error("'" + cmd + "' needs " + std::string(out.command->args));
    }
    if (n > out.command->max_args) {
      return usage_error("'" + cmd + "' takes " +
                         (out.command->max_args == 0 ? std::string("no arguments") : std::string(out.command->args)) +
                         ", not '" + shown(out.positionals[out.command->max_args]) + "'");
    }
  }
  return out;
}

CliExpected<uint64_t> parse_uint_option(std::string_view option, std::string_view text, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return usage_error(std::string(option) + " must be an integer from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", not '" + shown(text) + "'");
  }
  return v;
}

CliExpected<std::chrono::milliseconds> parse_seconds_option(std::string_view option, std::string_view text,
                                                            std::chrono::milliseconds min,
                                                            std::chrono::milliseconds max) {
  // Integer and fraction parsed apart: no locale, no binary rounding.
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  uint64_t secs = 0, ms = 0;
  bool valid = !text.empty() && (!whole.empty() || !frac.empty()) && frac.size() <= 3 &&
               (dot == std::string_view::npos || !frac.empty());
  if (valid && !whole.empty()) {
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    valid = ec == std::errc() && p == whole.data() + whole.size() && secs <= 1'000'000;
  }
  if (valid && !frac.empty()) {
    auto [p, ec] = std::from_chars(frac.data(), frac.data() + frac.size(), ms);
    valid = ec == std::errc() && p == frac.data() + frac.size();
    for (size_t i = frac.size(); i < 3; ++i) ms *= 10;
  }
  const auto value = std::chrono::milliseconds(secs * 1000 + ms);
  if (!valid || value < min || value > max) {
    return usage_error(std::string(option) + " must be seconds from " + seconds_text(min) + " to " + seconds_text(max) +
                       ", not '" + shown(text) + "'");
  }
  return value;
}

}  // namespace stratd::cli
