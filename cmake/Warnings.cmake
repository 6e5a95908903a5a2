# Warning set shared by every target (curl PickyWarnings + cJSON, for C11).
# Most flags apply to C and C++ alike; those that only mean something in C
# (prototypes, old-style definitions, implicit declarations) go to C files
# only, so the C++ shim over libre2 builds without "valid for C only" noise.
set(_rfg_warn_c
  -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
  -Wwrite-strings -Werror=implicit-function-declaration)
set(_rfg_warn_cxx -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
add_library(rfg_flags INTERFACE)
target_compile_options(rfg_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wmissing-declarations -Wcast-qual -Wcast-align -Wpointer-arith -Wundef
  -Wformat=2 -Wimplicit-fallthrough -Wvla -Wnull-dereference
  -Wredundant-decls -Wdouble-promotion
  "$<$<COMPILE_LANGUAGE:C>:${_rfg_warn_c}>"
  "$<$<COMPILE_LANGUAGE:CXX>:${_rfg_warn_cxx}>")
target_compile_definitions(rfg_flags INTERFACE
  $<$<COMPILE_LANGUAGE:C>:_POSIX_C_SOURCE=200809L>)
