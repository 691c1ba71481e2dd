# Warning and sanitizer flags for every first-party target. Applied directory-wide
# so that host, plugins, examples and tests all build under the same rules.
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
  -fvisibility=hidden)
if(CMAKE_UNITY_BUILD)
  # A unity build includes each .cpp into a batch file, so GCC takes it for a header and
  # warns that a class uses a type from the file's own anonymous namespace: true of a
  # header, meaningless for a source file.
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Wno-subobject-linkage>)
endif()
if(TSHOST_WERROR)
  add_compile_options(-Werror)
endif()
if(TSHOST_SANITIZE)
  # GCC's flow analysis reports uninitialised reads that instrumentation itself
  # introduces (false positives under -fsanitize); the plain build keeps the check.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
