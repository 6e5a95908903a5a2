# RFG_SANITIZE: "address,undefined", "thread" or empty.
set(RFG_SANITIZE "" CACHE STRING "address,undefined | thread | empty")
if(RFG_SANITIZE)
  if(RFG_SANITIZE MATCHES "thread" AND RFG_SANITIZE MATCHES "address")
    message(FATAL_ERROR "thread cannot be combined with address")
  endif()
  target_compile_options(rfg_flags INTERFACE -fsanitize=${RFG_SANITIZE}
    -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  target_link_options(rfg_flags INTERFACE -fsanitize=${RFG_SANITIZE})
endif()
option(RFG_FUZZ "libFuzzer targets (clang)" OFF)
if(RFG_FUZZ)
  # The coverage callbacks of fuzzer-no-link come from the sanitizer
  # runtime, and a fuzzer without ASan/UBSan finds little (cJSON refuses
  # the same way): ask for both. tests/tests.cmake builds the targets.
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RFG_FUZZ needs clang (CC=clang)")
  endif()
  if(NOT RFG_SANITIZE MATCHES "address")
    message(FATAL_ERROR "RFG_FUZZ needs -DRFG_SANITIZE=address,undefined")
  endif()
  target_compile_options(rfg_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()
