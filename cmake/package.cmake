# `cmake --install` (GNUInstallDirs) and the Debian package (`cpack -G DEB` in the build dir).
#
#   bin/      hostprocess, hostprocess-supervisor and hostprocess-keeper (found next to
#             hostprocess), hostprocess-runtime
#   lib/hostprocess/libhostprocess-image.so   pull/import/unpack, loaded by hostprocess when a
#             verb needs it (src/core/image/plugin.h; found at <bindir>/../lib/hostprocess)
#   share/doc/hostprocess/           README.md, docs/*.md, examples/
#   share/bash-completion/completions/hostprocess, share/zsh/vendor-completions/_hostprocess
#   lib/systemd/system/hostprocess.service   (restores the applied pods at boot)
# The state is not installed: it lives in /var/lib/hostprocess, made by the first command.
set(_hp_programs hostprocess hostprocess-supervisor hostprocess-keeper hostprocess-runtime)
foreach(t ${_hp_programs})
  if(TARGET ${t})
    install(TARGETS ${t} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
if(TARGET hostprocess-image)
  # lib/, not CMAKE_INSTALL_LIBDIR: the binary finds it at a fixed path relative to its own.
  install(TARGETS hostprocess-image LIBRARY DESTINATION lib/hostprocess)
endif()
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Completion scripts, written by the built binary itself (`hostprocess completion bash|zsh`).
if(TARGET hostprocess)
  set(_hp_completion ${CMAKE_BINARY_DIR}/completion)
  add_custom_command(
    OUTPUT ${_hp_completion}/hostprocess ${_hp_completion}/_hostprocess
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_hp_completion}
    COMMAND sh -c "\"$1\" completion bash >\"$2\" && \"$1\" completion zsh >\"$3\"" sh
            $<TARGET_FILE:hostprocess> ${_hp_completion}/hostprocess ${_hp_completion}/_hostprocess
    DEPENDS hostprocess VERBATIM)
  add_custom_target(hp_completion ALL DEPENDS ${_hp_completion}/hostprocess)
  install(FILES ${_hp_completion}/hostprocess
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${_hp_completion}/_hostprocess
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
endif()

# The unit names the installed binary, so it is written at install time, when the prefix is
# known (cpack installs with its own prefix, /usr). lib/, not CMAKE_INSTALL_LIBDIR: systemd
# looks in <prefix>/lib/systemd/system, never in a multiarch directory.
install(CODE "
  set(bindir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  set(docdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/packaging/hostprocess.service.in\"
                 \"${CMAKE_BINARY_DIR}/packaging/hostprocess.service\" @ONLY)
  file(INSTALL \"${CMAKE_BINARY_DIR}/packaging/hostprocess.service\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hostprocess)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(HP_PACKAGE_MAINTAINER "hostprocess maintainers <root@localhost>"
    CACHE STRING "The Debian package's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${HP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Kubernetes HostProcess containers for Linux nodes")
set(CPACK_PACKAGE_DESCRIPTION
    "Runs Kubernetes HostProcess pods and DaemonSets as host processes in a cgroup job with a\n"
    "container volume (hostprocess), keeps them running across reboots (hostprocess.service),\n"
    "and offers an OCI runtime that containerd drives like runc (hostprocess-runtime).")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # hostprocess_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Dependencies from the binaries' shared libraries (dpkg-shlibdeps, from dpkg-dev); useradd
# and userdel (passwd) run the pods' ephemeral accounts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, containerd")
# Only what dpkg cannot do itself: enable the unit, keep pods from being orphaned on removal,
# and remove the state on purge.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/prerm
    ${CMAKE_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
