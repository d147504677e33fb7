# `cmake --install` gives headers, the library and a CMake package: find_package(lever) then link
# lever::lever.
include(CMakePackageConfigHelpers)

install(TARGETS lever EXPORT leverTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lever DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT leverTargets NAMESPACE lever:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lever)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/leverConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/leverConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lever)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/leverConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/leverConfig.cmake ${PROJECT_BINARY_DIR}/leverConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lever)
