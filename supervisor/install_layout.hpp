#pragma once
// Where stratd's own pieces are, found from the running binary rather than
// from paths fixed at build time: an install works wherever it is unpacked
// (a .deb in /usr, `cmake --install` into any prefix, `dpkg -x` into a
// scratch root), and the build tree is laid out the same way (bin/, and
// share/stratd/strategies linked to the source's strategies/).
#include <string>

namespace stratd::supervisor {

// The directory of the running binary: strat-worker and strat-feed are installed beside stratd.
std::string program_dir();
// The shipped strategies: <program_dir>/../share/stratd/strategies in the
// default layout (the relative path follows CMAKE_INSTALL_BINDIR and
// CMAKE_INSTALL_DATADIR).
std::string shipped_strategies_dir();

}  // namespace stratd::supervisor
