# Where things are installed (GNUInstallDirs), and the build tree laid out
# the same way, so stratd finds what it ships by one rule in both: from its
# own directory (/proc/self/exe), never from a path fixed at build time. An
# install works wherever it is unpacked (a .deb in /usr, any
# --prefix, `dpkg -x` into a scratch root), and build/bin/stratd serves the
# source tree's strategies.
include(GNUInstallDirs)

# The shipped strategies as seen from the binaries' directory:
# ../share/stratd/strategies in the default layout.
file(RELATIVE_PATH STRATD_STRATEGIES_FROM_BIN
  "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_DATADIR}/stratd/strategies")

# build/share/stratd/strategies -> the source's strategies/ (a link, so an
# edited strategy is served without a rebuild).
cmake_path(ABSOLUTE_PATH STRATD_STRATEGIES_FROM_BIN BASE_DIRECTORY "${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
  NORMALIZE OUTPUT_VARIABLE _stratd_build_strategies)
cmake_path(GET _stratd_build_strategies PARENT_PATH _stratd_build_share)
file(MAKE_DIRECTORY "${_stratd_build_share}")
file(CREATE_LINK "${CMAKE_SOURCE_DIR}/strategies" "${_stratd_build_strategies}" SYMBOLIC)
