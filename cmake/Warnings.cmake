# Warning set shared by every target (curl PickyWarnings + cJSON, for C11).
add_library(rfg_flags INTERFACE)
target_compile_options(rfg_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations
  -Wold-style-definition -Wwrite-strings -Wcast-qual -Wcast-align
  -Wpointer-arith -Wundef -Wformat=2 -Wimplicit-fallthrough -Wvla
  -Wnull-dereference -Wredundant-decls -Wdouble-promotion
  -Werror=implicit-function-declaration)
target_compile_definitions(rfg_flags INTERFACE _POSIX_C_SOURCE=200809L)
