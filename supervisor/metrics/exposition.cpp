#include "supervisor/metrics/exposition.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/ascii.hpp"

namespace stratd::supervisor::metrics {
namespace {

// One media range of an Accept header: its type, its weight, and whether
// the version it names (if any) is one we write.
struct MediaRange {
  std::string_view type;
  double q = 1;
  std::string_view version;
};

MediaRange parse_range(std::string_view range) {
  MediaRange m;
  const auto semi = range.find(';');
  m.type = trim_blanks(range.substr(0, semi));
  std::string_view params = semi == std::string_view::npos ? std::string_view() : range.substr(semi + 1);
  while (!params.empty()) {
    const auto next = params.find(';');
    const std::string_view p = trim_blanks(params.substr(0, next));
    const auto eq = p.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view key = trim_blanks(p.substr(0, eq));
      std::string_view value = trim_blanks(p.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (ascii_iequals(key, "q")) {
        double q = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
        m.q = ec == std::errc() && end == value.data() + value.size() && q >= 0 && q <= 1 ? q : 0;
      } else if (ascii_iequals(key, "version")) {
        m.version = value;
      }
    }
    if (next == std::string_view::npos) break;
    params = params.substr(next + 1);
  }
  return m;
}

// A number as Prometheus' own clients write one: plain digits within a
// sensible range (0.0001, not the shorter 1e-04), an exponent beyond it;
// always the shortest text that reads back as the same double.
char* format_double(char* first, char* last, double v) {
  const double a = std::fabs(v);
  const bool plain = a == 0 || (a >= 1e-4 && a < 1e15);
  auto [end, ec] = plain ? std::to_chars(first, last, v, std::chars_format::fixed) : std::to_chars(first, last, v);
  return ec == std::errc() ? end : first;
}

// `text` with a backslash before each backslash, line break (as "\\n")
// and, if `quotes`, double quote. Runs without any are copied whole.
void append_escaped(std::string& out, std::string_view text, bool quotes) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' && c != '\n' && (c != '"' || !quotes)) continue;
    out.append(text.data() + run, i - run);
    out += '\\';
    out += c == '\n' ? 'n' : c;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

void append_label(std::string& out, const Label& l) {
  out += l.name;
  out += "=\"";
  append_escaped(out, l.value, true);
  out += '"';
}

}  // namespace

LabelSet::LabelSet(Labels labels) {
  for (const Label& l : labels) {
    if (!text_.empty()) text_ += ',';
    append_label(text_, l);
  }
}

Format format_for_accept(std::string_view accept) {
  double open_metrics = 0, text = 0;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const MediaRange m = parse_range(accept.substr(0, comma));
    if (ascii_iequals(m.type, "application/openmetrics-text")) {
      if (m.version.empty() || m.version == "1.0.0") open_metrics = std::max(open_metrics, m.q);
    } else if (ascii_iequals(m.type, "text/plain")) {
      if (m.version.empty() || m.version == "0.0.4") text = std::max(text, m.q);
    } else if (ascii_iequals(m.type, "text/*") || ascii_iequals(m.type, "*/*")) {
      text = std::max(text, m.q);
    }
    if (comma == std::string_view::npos) break;
    accept = accept.substr(comma + 1);
  }
  return open_metrics > 0 && open_metrics >= text ? Format::OpenMetrics : Format::Text;
}

std::string_view content_type(Format f) {
  return f == Format::OpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                  : "text/plain; version=0.0.4; charset=utf-8";
}

Exposition::Exposition(Format f, size_t reserve_bytes) : format_(f) { out_.reserve(reserve_bytes); }

void Exposition::family(std::string_view name, Type type, std::string_view help, std::string_view unit) {
  assert(unit.empty() || (name.size() > unit.size() && name.substr(name.size() - unit.size()) == unit));
  name_.assign(name);
  type_ = type;
  sample_name_.assign(name);
  if (type == Type::Counter) sample_name_ += "_total";
  if (type == Type::Info) sample_name_ += "_info";
  const bool om = format_ == Format::OpenMetrics;
  // The text format names a counter and an info family by their samples.
  std::string_view suffix;
  if (!om && type == Type::Counter) suffix = "_total";
  if (!om && type == Type::Info) suffix = "_info";
  out_ += "# HELP ";
  out_ += name;
  out_ += suffix;
  out_ += ' ';
  write_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += suffix;
  switch (type) {
    case Type::Counter: out_ += " counter\n"; break;
    case Type::Gauge: out_ += " gauge\n"; break;
    case Type::Histogram: out_ += " histogram\n"; break;
    case Type::Info: out_ += om ? " info\n" : " gauge\n"; break;
  }
  if (om && !unit.empty()) {
    out_ += "# UNIT ";
    out_ += name;
    out_ += ' ';
    out_ += unit;
    out_ += '\n';
  }
}

void Exposition::begin_sample(const LabelSet* first, Labels labels, std::string_view suffix, const Label* extra) {
  if (suffix.empty()) {
    out_ += sample_name_;
  } else {
    out_ += name_;
    out_ += suffix;
  }
  const bool has_first = first && !first->text().empty();
  if (has_first || labels.size() > 0 || extra) {
    out_ += '{';
    bool any = has_first;
    if (has_first) out_ += first->text();
    auto put = [&](const Label& l) {
      if (std::exchange(any, true)) out_ += ',';
      append_label(out_, l);
    };
    for (const Label& l : labels) put(l);
    if (extra) put(*extra);
    out_ += '}';
  }
  out_ += ' ';
}

void Exposition::sample(Labels labels, double value) { sample(nullptr, labels, value); }

void Exposition::sample(const LabelSet* first, Labels more, double value) {
  begin_sample(first, more, {});
  write_double(value);
  out_ += '\n';
}

void Exposition::histogram(Labels labels, const HistogramSnapshot& h) {
  if (h.bounds.data() != le_bounds_.data() || h.bounds.size() != le_bounds_.size()) {
    // Written as floats, as both parsers and Prometheus' own clients do:
    // "1.0", not "1", so every scrape names a bucket the same way. Once
    // per set of bounds: every histogram of a scrape shares one.
    le_bounds_ = h.bounds;
    le_text_.clear();
    for (double b : h.bounds) {
      char le[32];
      char* end = format_double(le, le + sizeof le - 2, b);
      if (std::find_if(le, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
        *end++ = '.';
        *end++ = '0';
      }
      le_text_.emplace_back(le, end);
    }
  }
  for (size_t i = 0; i < h.cumulative.size(); ++i) {
    const Label extra{"le", i < le_text_.size() ? std::string_view(le_text_[i]) : std::string_view("+Inf")};
    begin_sample(nullptr, labels, "_bucket", &extra);
    write_uint(h.cumulative[i]);
    out_ += '\n';
  }
  begin_sample(nullptr, labels, "_sum");
  write_double(h.sum);
  out_ += '\n';
  begin_sample(nullptr, labels, "_count");
  write_uint(h.count());
  out_ += '\n';
}

std::string Exposition::finish() && {
  if (format_ == Format::OpenMetrics) out_ += "# EOF\n";
  return std::move(out_);
}

void Exposition::write_double(double v) {
  if (std::isnan(v)) {
    out_ += "NaN";
  } else if (std::isinf(v)) {
    out_ += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    out_.append(buf, size_t(format_double(buf, buf + sizeof buf, v) - buf));
  }
}

void Exposition::write_int(int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, size_t(end - buf));
}

void Exposition::write_uint(uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, size_t(end - buf));
}

// Both formats escape a backslash and a line break in help texts;
// OpenMetrics also a double quote.
void Exposition::write_help(std::string_view help) { append_escaped(out_, help, format_ == Format::OpenMetrics); }

}  // namespace stratd::supervisor::metrics
