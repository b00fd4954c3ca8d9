# What `cmake --install` lays out (and the .deb holds), in FHS paths under
# CMAKE_INSTALL_PREFIX (a .deb: /usr, with /etc and /lib/systemd/system):
#   bin/                     stratd, strat-worker, strat-feed (stratd starts
#                            the other two from its own directory)
#   share/stratd/strategies  the shipped strategies (found from bin/)
#   share/doc/stratd         README.md and docs/
#   lib/systemd/system       stratd.service
#   lib/sysusers.d           stratd.conf: the stratd user
#   <sysconfdir>/stratd      stratd.toml, every setting commented out
# The unit and the configuration name these paths, filled in here.

set(STRATD_BIN_DIR "${CMAKE_INSTALL_FULL_BINDIR}")
set(STRATD_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/stratd")
set(STRATD_DOC_DIR "${CMAKE_INSTALL_FULL_DOCDIR}")
set(STRATD_STRATEGIES_DIR "${CMAKE_INSTALL_FULL_DATADIR}/stratd/strategies")
# Debian 12 keeps packaged units in /lib/systemd/system (the same directory
# as /usr/lib/systemd/system on its merged /usr); any other prefix its own
# lib/systemd/system (systemd reads /usr/local/lib/systemd/system too).
# Derived from the prefix at every configure (a cached default would keep
# the first prefix's), unless given.
set(STRATD_UNIT_DIR "" CACHE PATH "where stratd.service is installed (empty: from the prefix)")
set(STRATD_SYSUSERS_DIR "" CACHE PATH "where sysusers.d/stratd.conf is installed (empty: from the prefix)")
if(STRATD_UNIT_DIR)
  set(STRATD_SYSTEMD_UNIT_DIR "${STRATD_UNIT_DIR}")
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(STRATD_SYSTEMD_UNIT_DIR "/lib/systemd/system")
else()
  set(STRATD_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(STRATD_SYSUSERS_DIR)
  set(STRATD_SYSUSERS_INSTALL_DIR "${STRATD_SYSUSERS_DIR}")
else()
  set(STRATD_SYSUSERS_INSTALL_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
endif()

# The service's backstops, for max_runners (256) workers: a worker runs 3
# to 4 threads and holds a few MiB to tens of MiB (docs/operations.md).
set(STRATD_MEMORY_MAX "80%" CACHE STRING "the unit's MemoryMax= (stratd and all its workers)")
set(STRATD_TASKS_MAX "4096" CACHE STRING "the unit's TasksMax= (threads of stratd and all its workers)")

configure_file(systemd/stratd.service.in stratd.service @ONLY)
configure_file(packaging/stratd.toml stratd.toml @ONLY)

install(TARGETS stratd strat-worker strat-feed RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY strategies/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stratd/strategies
  FILES_MATCHING PATTERN "*.lua")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_BINARY_DIR}/stratd.service DESTINATION ${STRATD_SYSTEMD_UNIT_DIR})
install(FILES systemd/stratd.sysusers DESTINATION ${STRATD_SYSUSERS_INSTALL_DIR} RENAME stratd.conf)
install(FILES ${CMAKE_BINARY_DIR}/stratd.toml DESTINATION ${STRATD_CONFIG_DIR})
