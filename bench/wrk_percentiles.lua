-- Prints one machine-readable line after a wrk run:
-- requests/s and latency percentiles in microseconds, plus errors.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.0f p50_us=%d p90_us=%d p95_us=%d p99_us=%d p999_us=%d max_us=%d requests=%d errors=%d\n",
    summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.requests, errors))
end
