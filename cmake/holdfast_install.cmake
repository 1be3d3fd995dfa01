# `cmake --install` layout and the .deb (CPack, DEB generator).
#   PREFIX/bin/holdfastd, PREFIX/bin/holdfast
#   PREFIX/share/doc/holdfast/          README.md, docs/*.md, examples/
#   ETC/holdfast/holdfast.textproto     the example config the unit starts with
#   ETC/default/holdfast                extra holdfastd flags for the unit
#   PREFIX/lib/systemd/system/holdfast.service, PREFIX/lib/sysusers.d/holdfast.conf
# ETC is /etc for prefix /usr (the .deb), PREFIX/etc otherwise: it is decided
# at install time by tools/packaging/install_system_files.cmake.in, because
# `cmake --install --prefix` and CPack choose the prefix after configuration.
include(GNUInstallDirs)

install(TARGETS holdfastd holdfast RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/examples/holdfast.textproto DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
configure_file(${PROJECT_SOURCE_DIR}/tools/packaging/install_system_files.cmake.in
  ${PROJECT_BINARY_DIR}/install_system_files.cmake @ONLY)
install(SCRIPT ${PROJECT_BINARY_DIR}/install_system_files.cmake)

set(HOLDFAST_PACKAGE_CONTACT "Holdfast maintainers <holdfast@localhost>" CACHE STRING
  "Maintainer field of the .deb")
set(CPACK_PACKAGE_NAME holdfast)
set(CPACK_PACKAGE_VENDOR "Holdfast")
set(CPACK_PACKAGE_CONTACT "${HOLDFAST_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Experimentation and holdout server for CRM journeys")
set(CPACK_PACKAGE_DESCRIPTION
  "holdfastd answers treat-or-hold-out for lifecycle journeys (email, SMS, push) from a versioned\nconfig, records entries, sends, orders and refunds, and reports lift and incremental ROAS\nwith confidence intervals. The holdfast CLI assigns, imports, lints configs and reports.")
# The version is the project's (CMakeLists.txt project(VERSION)); --version of
# the binaries adds the commit.
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Strip the staged copies (the build's binaries keep their debug info): the
# package is ~10x smaller and builds in seconds.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)           # holdfast_VERSION-1_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies computed by dpkg-shlibdeps (dpkg-dev) from the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# sqlite3: the online backup in docs/operations.md; passwd: useradd when the
# machine has no systemd-sysusers.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "sqlite3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/tools/packaging/deb/conffiles
  ${PROJECT_SOURCE_DIR}/tools/packaging/deb/postinst
  ${PROJECT_SOURCE_DIR}/tools/packaging/deb/prerm
  ${PROJECT_SOURCE_DIR}/tools/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
