#pragma once
// Writing metrics for a scraper, in the Prometheus text format 0.0.4 or in
// OpenMetrics 1.0, whichever the scrape's Accept header prefers. Families
// are written one at a time, each with its samples right after it; the
// writer adds what each format wants around them: a counter's `_total`
// (on the TYPE line too in the text format, on samples only in
// OpenMetrics), an info family's `_info`, a histogram's cumulative
// `_bucket{le=...}`, `_sum` and `_count`, OpenMetrics' `# UNIT` and
// `# EOF`, and the escaping of help texts and label values.
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "supervisor/metrics/instruments.hpp"

namespace stratd::supervisor::metrics {

enum class Format { Text, OpenMetrics };
enum class Type { Counter, Gauge, Histogram, Info };

// The format a scrape with this Accept header gets: OpenMetrics when it is
// acceptable (version 1.0.0 or none named) and weighted at least as high
// as the text format; the text format otherwise, also when nothing fits.
Format format_for_accept(std::string_view accept);
std::string_view content_type(Format f);

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::initializer_list<Label>;

// Labels escaped once, for many samples: a runner's id in every family.
class LabelSet {
 public:
  explicit LabelSet(Labels labels);
  std::string_view text() const { return text_; }  // name="value",... as written

 private:
  std::string text_;
};

class Exposition {
 public:
  explicit Exposition(Format f, size_t reserve_bytes = 0);

  // Starts a family. `name` is the family's: without `_total` for a
  // counter, without `_info` for an info family. `unit`, if given, is the
  // name's last word (`seconds`, `bytes`); OpenMetrics gets a UNIT line.
  void family(std::string_view name, Type type, std::string_view help, std::string_view unit = {});

  // A sample of the current family (a counter, a gauge, an info's 1).
  void sample(Labels labels, double value);
  template <std::integral T>
  void sample(Labels labels, T value) {
    sample(nullptr, labels, value);
  }
  // The same, with `first` before `more`.
  void sample(const LabelSet& first, Labels more, double value) { sample(&first, more, value); }
  template <std::integral T>
  void sample(const LabelSet& first, Labels more, T value) {
    sample(&first, more, value);
  }
  // A histogram's samples: its buckets (cumulative), sum and count.
  void histogram(Labels labels, const HistogramSnapshot& h);

  // The whole text (OpenMetrics: with its closing `# EOF`).
  std::string finish() &&;
  size_t size() const { return out_.size(); }

 private:
  void sample(const LabelSet* first, Labels more, double value);
  template <std::integral T>
  void sample(const LabelSet* first, Labels more, T value) {
    begin_sample(first, more, {});
    if constexpr (std::signed_integral<T>) {
      write_int(int64_t(value));
    } else {
      write_uint(uint64_t(value));
    }
    out_ += '\n';
  }
  void begin_sample(const LabelSet* first, Labels labels, std::string_view suffix, const Label* extra = nullptr);
  void write_double(double v);
  void write_int(int64_t v);
  void write_uint(uint64_t v);
  void write_help(std::string_view help);

  Format format_;
  std::string out_;
  std::string name_;         // the current family's
  std::string sample_name_;  // ...and its samples' (a counter's _total, an info's _info)
  Type type_ = Type::Gauge;
  std::span<const double> le_bounds_;  // the bounds le_text_ holds, written
  std::vector<std::string> le_text_;
};

}  // namespace stratd::supervisor::metrics
