# install.cmake - the CMake package and the pkg-config file of an installed
# growstack (included by the top-level CMakeLists.txt). The installed tree:
#
#   <bindir>/gscc
#   <libdir>/growstack/libgrowstack.a, growstack-plugin.so
#   <includedir>/growstack.h
#   <libdir>/cmake/growstack/growstackConfig.cmake (+ Version, Targets)
#   <libdir>/pkgconfig/growstack.pc
#
# Both files locate the rest relative to themselves, so a prefix can be moved.
include(CMakePackageConfigHelpers)

set(GROWSTACK_INSTALL_PKGLIBDIR ${CMAKE_INSTALL_LIBDIR}/growstack)
set(GROWSTACK_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/growstack)

install(EXPORT growstackTargets NAMESPACE growstack:: DESTINATION ${GROWSTACK_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/growstackConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/growstackConfig.cmake
  INSTALL_DESTINATION ${GROWSTACK_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR GROWSTACK_INSTALL_PKGLIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/growstackConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/growstackConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/growstackConfigVersion.cmake
        DESTINATION ${GROWSTACK_INSTALL_CMAKEDIR})

# pkg-config: the prefix as a path relative to the .pc file's directory.
file(RELATIVE_PATH GROWSTACK_PC_PREFIX_FROM_PCDIR
     "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" GROWSTACK_PC_PREFIX_FROM_PCDIR "${GROWSTACK_PC_PREFIX_FROM_PCDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/growstack.pc.in ${CMAKE_BINARY_DIR}/cmake/growstack.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/growstack.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
