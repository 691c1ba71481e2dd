# tshost_add_plugin(<name> SOURCES <files>... [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
#
# Declares a tshost plugin: a MODULE library named <name>.so that links
# tshost::sdk, hides every symbol but the ABI entry point, refuses undefined
# symbols at link time (a plugin cannot rely on symbols from the host), and
# installs to lib/tshost/plugins (where the host looks by default).
# A global property, not a variable: the function is called from other directories.
set_property(GLOBAL PROPERTY TSHOST_SDK_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})

function(tshost_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "tshost_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE tshost::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(NOT ARG_OUTPUT_DIRECTORY AND DEFINED TSHOST_PLUGIN_OUTPUT_DIR)
    set(ARG_OUTPUT_DIRECTORY ${TSHOST_PLUGIN_OUTPUT_DIR})
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    get_property(_tshost_sdk_cmake_dir GLOBAL PROPERTY TSHOST_SDK_CMAKE_DIR)
    target_link_options(${name} PRIVATE
      "LINKER:--version-script=${_tshost_sdk_cmake_dir}/tshost-plugin.map"
      "LINKER:--no-undefined")
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS
      ${_tshost_sdk_cmake_dir}/tshost-plugin.map)
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION lib/tshost/plugins COMPONENT plugins)
  endif()
endfunction()
