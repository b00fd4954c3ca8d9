#pragma once
// The process_* families every Prometheus client exports for its own
// process, for stratd, read from /proc/self at each scrape: CPU seconds,
// resident and virtual memory, open and allowed descriptors, start time.
#include "supervisor/metrics/exposition.hpp"

namespace stratd::supervisor::metrics {

void write_process_metrics(Exposition& out);

}  // namespace stratd::supervisor::metrics
