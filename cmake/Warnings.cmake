# Warnings: every build type compiles the project's own code with -Wall -Wextra and, unless
# RISKRADAR_WERROR=OFF, fails on any warning. Every source compiled by this project is its own code.
add_compile_options(-Wall -Wextra)
if(RISKRADAR_WERROR)
  add_compile_options(-Werror)
endif()
# GCC 12 raises a false -Wrestrict inside libstdc++'s std::string concatenation at -O2/-O3 (GCC bug 105651,
# fixed in GCC 13): it names __builtin_memcpy in char_traits.h with impossible sizes. Off for GCC 12 only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()
