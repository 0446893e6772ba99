# Sanitizer builds. ASan+UBSan (RISKRADAR_SANITIZE) and TSan (RISKRADAR_TSAN) cannot share a binary, so
# each gets its own build directory (scripts/setup.sh test builds both).
if(RISKRADAR_SANITIZE AND RISKRADAR_TSAN)
  message(FATAL_ERROR "RISKRADAR_SANITIZE and RISKRADAR_TSAN need separate build directories")
endif()
if(RISKRADAR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RISKRADAR_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14")
  endif()
  # Everything is instrumented for coverage and checked by ASan and UBSan; only the fuzz binaries get main().
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# UBSan checks left out of the ASan build by default, to keep the test command's build time down: together
# they cost a third of its compile time (one unity batch, GCC 12 -O1: 23.5 s of CPU with every check, 15 s
# without these), and each is mostly covered otherwise: null (a null dereference is a SEGV that ASan reports
# with its stack), object-size (ASan's bounds), alignment (x86 reads unaligned data; the code does no type
# punning through casts), pointer-overflow, vptr (no downcasts of polymorphic types without dynamic_cast).
# Overflow, shifts, division by zero, bounds of arrays, bool and enum loads, float casts and return stay on.
# -DRISKRADAR_UBSAN_SKIP= (empty) checks everything.
set(RISKRADAR_UBSAN_SKIP "vptr,alignment,null,pointer-overflow,object-size"
    CACHE STRING "UBSan checks the RISKRADAR_SANITIZE build leaves out (comma-separated; empty for none)")
if(RISKRADAR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  if(RISKRADAR_UBSAN_SKIP)
    add_compile_options(-fno-sanitize=${RISKRADAR_UBSAN_SKIP})
  endif()
  add_link_options(-fsanitize=address,undefined)
endif()
if(RISKRADAR_TSAN)
  # -Wno-tsan: Boost.Asio (the HTTP transport) uses std::atomic_thread_fence, which GCC warns TSan does not
  # model; TSan then sees the transport's hand-offs through Asio's own locks and queues only.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()
# GCC's flow-sensitive warnings are not reliable on instrumented code: its manual says -fsanitize= can make
# -Wmaybe-uninitialized report false positives, and GCC 12 does so inside libstdc++'s std::function (held by
# std::regex) at -O1 with ASan+UBSan. The normal builds (Debug, Release, RelWithDebInfo) keep the warning.
if((RISKRADAR_SANITIZE OR RISKRADAR_TSAN) AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-maybe-uninitialized)
endif()
