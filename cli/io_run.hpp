#pragma once
// stratctl drives Asio's asynchronous operations (the only ones Beast puts
// timeouts on) as if they blocked: start one, then run handlers until it
// has finished. Other armed work, such as a signal set, stays armed.
#include <stdexcept>

#include <boost/asio/io_context.hpp>

namespace stratd::cli {

inline void run_until(boost::asio::io_context& io, const bool& done) {
  while (!done) {
    if (io.stopped()) io.restart();
    if (io.run_one() == 0 && !done) throw std::logic_error("run_until: nothing left to run and not done");
  }
}

}  // namespace stratd::cli
