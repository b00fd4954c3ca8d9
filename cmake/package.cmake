# The .deb (cpack -G DEB, in the build directory): everything
# cmake/install.cmake lays out, under the prefix the build was configured
# with. A Debian package wants /usr (scripts/package configures that):
#   cmake -S . -B build-deb -G Ninja -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build-deb && cpack --config build-deb/CPackConfig.cmake
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "stratd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(STRATD_PACKAGE_MAINTAINER "Seed 31cfbcdb maintainers <maintainers@users.noreply.b-seed-31cfbcdb.example>"
  CACHE STRING "the .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${STRATD_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${STRATD_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Lua trading strategies, one supervised worker process per runner")
set(CPACK_PACKAGE_DESCRIPTION
  "stratd runs trading strategies written in Lua 5.4, each runner in its own\n"
  "sandboxed worker process, and serves them over REST, WebSocket and\n"
  "Prometheus metrics. A strategy that crashes, hangs or eats memory loses its\n"
  "own worker and nothing else: the runner is restarted and resumes its\n"
  "position from shared memory. Ships a hardened systemd unit (stratd.service).")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies (libzmq5, liblua5.4-0, libsqlite3-0, ...) as
# dpkg-shlibdeps finds them in the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The unit and systemd-sysusers; without systemd the postinst makes the
# user with useradd and stratd runs by hand.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_STRIP_FILES ON)

configure_file(packaging/deb/conffiles.in deb/conffiles @ONLY)
file(COPY packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm DESTINATION deb)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/deb/conffiles;${CMAKE_BINARY_DIR}/deb/postinst;${CMAKE_BINARY_DIR}/deb/prerm;${CMAKE_BINARY_DIR}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "stratd: the .deb installs under ${CMAKE_INSTALL_PREFIX}; "
                 "-DCMAKE_INSTALL_PREFIX=/usr makes a Debian-style package (scripts/package)")
endif()
include(CPack)
