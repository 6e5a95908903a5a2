# Every dependency is a Debian 12 package found through pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls)
pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
pkg_check_modules(SSL REQUIRED IMPORTED_TARGET libssl)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(Threads REQUIRED)

# libre2 (Go's regexp syntax, for labelWhitelist) is a C++ library that
# src/util/re2_check.cc wraps for C, so the project needs a C++ compiler:
# the C compiler's own (clang++ for clang, g++ for gcc) unless CXX names
# one, because the sanitizer runtimes of two compilers do not mix in one
# link. The C++ code links libstdc++ and libre2; neither is a network
# library.
if(NOT CMAKE_CXX_COMPILER AND NOT DEFINED ENV{CXX})
  get_filename_component(_cc_dir ${CMAKE_C_COMPILER} DIRECTORY)
  get_filename_component(_cc_name ${CMAKE_C_COMPILER} NAME)
  set(_cxx_name "")
  if(_cc_name MATCHES "^(.*)clang(-[0-9.]+)?$")
    set(_cxx_name "${CMAKE_MATCH_1}clang++${CMAKE_MATCH_2}")
  elseif(_cc_name MATCHES "^(.*)gcc(-[0-9.]+)?$")
    set(_cxx_name "${CMAKE_MATCH_1}g++${CMAKE_MATCH_2}")
  endif()
  if(_cxx_name AND EXISTS ${_cc_dir}/${_cxx_name})
    set(CMAKE_CXX_COMPILER ${_cc_dir}/${_cxx_name})
  endif()
endif()
enable_language(CXX)
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL CMAKE_C_COMPILER_ID)
  message(FATAL_ERROR "C compiler ${CMAKE_C_COMPILER_ID} but C++ compiler "
    "${CMAKE_CXX_COMPILER_ID}: set CXX to the C compiler's C++ driver")
endif()
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
