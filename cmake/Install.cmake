# Install layout (GNUInstallDirs) and the Debian package (cpack -G DEB in the build directory).
#   bin/riskradar
#   share/riskradar/config/           mappings, screening models, linkage settings, retention policy, passwords
#   share/riskradar/data/reference/   names and geography, with their README and licence files
#   share/riskradar/data/passwords/   the common-passwords deny list, with its README and licence
#   share/riskradar/api/openapi.json
#   share/doc/riskradar/              README.md and docs/
#   share/riskradar/riskradar.toml.example   the configuration (the package's postinst copies it to /etc/riskradar)
#   lib/systemd/system/riskradar.service     the service unit (packaging/riskradar.service.in)
# At run time the binary finds share/riskradar through core/paths.h (relative to itself, so any prefix works).
install(TARGETS riskradar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(RISKRADAR_INSTALL_DATA ${CMAKE_INSTALL_DATADIR}/riskradar)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${RISKRADAR_INSTALL_DATA}/config)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/reference/ DESTINATION ${RISKRADAR_INSTALL_DATA}/data/reference)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/passwords/ DESTINATION ${RISKRADAR_INSTALL_DATA}/data/passwords)
# The web application, when built (scripts/setup.sh builds it: npm ci && npm run build in web/).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/dist/ DESTINATION ${RISKRADAR_INSTALL_DATA}/web/dist OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/api/openapi.json DESTINATION ${RISKRADAR_INSTALL_DATA}/api)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The service: its own user (created by the package's postinst), a hardened sandbox, /etc/riskradar/riskradar.toml.
# The build tree's copy (tests/install/systemd_unit.sh checks it) names this build's prefix; the installed one is
# written at install time, so that its ExecStart names the prefix actually installed to (/usr in the package,
# whatever --prefix says otherwise).
set(RISKRADAR_BIN ${CMAKE_INSTALL_FULL_BINDIR}/riskradar)
set(RISKRADAR_DOC_DIR ${CMAKE_INSTALL_FULL_DOCDIR})
configure_file(${PROJECT_SOURCE_DIR}/packaging/riskradar.service.in ${PROJECT_BINARY_DIR}/riskradar.service @ONLY)
install(CODE "
  set(RISKRADAR_BIN \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/riskradar\")
  set(RISKRADAR_DOC_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\")
  set(unit \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/riskradar.service\")
  message(STATUS \"Installing: \${unit}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/packaging/riskradar.service.in\" \"\${unit}\" @ONLY)
")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/riskradar.toml.example DESTINATION ${RISKRADAR_INSTALL_DATA})

set(CPACK_PACKAGE_NAME riskradar)
set(CPACK_PACKAGE_VENDOR "riskradar contributors")
set(CPACK_PACKAGE_CONTACT "riskradar maintainers <maintainers@riskradar.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Multi-agency child-exploitation safeguarding: record linkage, risk screening, networks, the risk radar")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# The run-time libraries (shared objects' packages) come from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# postinst: the riskradar system user, /etc/riskradar (keys/ 0700) and the configuration from the example.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/debian/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
