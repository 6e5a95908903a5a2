# Test registry. Every tests/unit/test_<module>.c is its own executable
# (ctest name unit.<module>); golden lint cases are globbed from tests/lint.
#
# A test that cannot run (a missing tool, no ../shared) exits 77: ctest
# reports it skipped, never passed. No test times anything; each waits for
# events with a ceiling that only a hang reaches (RFG_WAIT, 180 s, in the
# shell tests), so the TIMEOUTs below are for a hung test, not a slow one.

file(GLOB RFG_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${RFG_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" mod ${name})
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE rfg_cli)
  target_compile_definitions(${name} PRIVATE
    RFG_TEST_DIR="${CMAKE_SOURCE_DIR}/tests"
    RFG_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit.${mod} COMMAND ${name})
  set_tests_properties(unit.${mod} PROPERTIES LABELS unit TIMEOUT 600
                       SKIP_RETURN_CODE 77)
endforeach()

# Golden tests: tests/lint/<case>.yaml [+ <case>.args] -> <case>.expected
file(GLOB RFG_GOLDEN CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lint/*.expected)
foreach(exp ${RFG_GOLDEN})
  get_filename_component(case ${exp} NAME_WE)
  add_test(NAME golden.${case}
    COMMAND ${CMAKE_COMMAND} -DRFGUARD=$<TARGET_FILE:rfguard>
            -DCASE=${case} -DDIR=${CMAKE_SOURCE_DIR}/tests/lint
            -P ${CMAKE_SOURCE_DIR}/tests/golden.cmake)
  set_tests_properties(golden.${case} PROPERTIES LABELS golden TIMEOUT 60)
endforeach()

# Shell-driven tests (CLI behaviour, integration): tests/cli/*.sh
file(GLOB RFG_SH_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/cli/*.sh
                                         ${CMAKE_SOURCE_DIR}/tests/integration/*.sh)
foreach(sh ${RFG_SH_TESTS})
  get_filename_component(name ${sh} NAME_WE)
  get_filename_component(dir ${sh} DIRECTORY)
  get_filename_component(kind ${dir} NAME)
  add_test(NAME ${kind}.${name} COMMAND bash ${sh} $<TARGET_FILE:rfguard>
           ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  set_tests_properties(${kind}.${name} PROPERTIES LABELS ${kind}
                       TIMEOUT 900 SKIP_RETURN_CODE 77)
endforeach()

add_test(NAME style.checksrc COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/checksrc.sh
         ${CMAKE_SOURCE_DIR})
set_tests_properties(style.checksrc PROPERTIES LABELS style)

# Property test for the rendered deploy/ overlays (driven by
# tests/cli/deploy.sh, which finds it as <build-dir>/check_deploy).
add_executable(check_deploy tests/deploy/check_deploy.c)
target_include_directories(check_deploy PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(check_deploy PRIVATE rfg_core)
set_target_properties(check_deploy PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# Fuzz targets (tests/fuzz/fuzz_<t>.c, corpora in tests/fuzz/corpus/<t>/).
# With RFG_FUZZ (clang) they link libFuzzer and ctest runs each corpus
# once (-runs=0); otherwise they link tests/fuzz/standalone.c, which
# replays the corpus, so every build runs the crashers as regressions.
# scripts/fuzz.sh does the real fuzzing.
# review_scan replays review's corpus (both read AdmissionReview bodies).
set(RFG_FUZZ_TARGETS ydoc review review_scan policy jpatch yedit)
foreach(t ${RFG_FUZZ_TARGETS})
  set(_corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${t})
  if(t STREQUAL "review_scan")
    set(_corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/review)
  endif()
  if(RFG_FUZZ)
    add_executable(fuzz_${t} tests/fuzz/fuzz_${t}.c)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    add_test(NAME fuzz.${t} COMMAND fuzz_${t} -runs=0 ${_corpus})
  else()
    add_executable(fuzz_${t} tests/fuzz/fuzz_${t}.c tests/fuzz/standalone.c)
    add_test(NAME fuzz.${t} COMMAND fuzz_${t} ${_corpus})
  endif()
  target_link_libraries(fuzz_${t} PRIVATE rfg_core)
  set_target_properties(fuzz_${t} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()

# The soak test takes minutes: its own label, and it skips (77) unless
# RFG_SOAK=1 (scripts/soak.sh runs it).
if(TEST integration.abuse_soak)
  set_tests_properties(integration.abuse_soak PROPERTIES
    LABELS "integration;soak" TIMEOUT 900)
endif()

# rfg_core links no network library. core_only is built from the core
# alone, linked without --as-needed so every library the core drags in
# stays a dependency; tests/fence/core_libs.sh fails if one of them is a
# network or TLS library. scripts/checksrc.sh checks the includes.
add_executable(core_only tests/fence/core_only.c)
target_link_libraries(core_only PRIVATE rfg_core)
target_link_options(core_only PRIVATE LINKER:--no-as-needed)
set_target_properties(core_only PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fence)
add_test(NAME style.core_links_no_network
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fence/core_libs.sh
                 $<TARGET_FILE:core_only>)
set_tests_properties(style.core_links_no_network PROPERTIES LABELS style
                     TIMEOUT 60 SKIP_RETURN_CODE 77)
# No hand-written .c file in src/ over 750 lines: one concern per file.
add_test(NAME style.filesize COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/checksrc.sh
         --sizes ${CMAKE_SOURCE_DIR})
set_tests_properties(style.filesize PROPERTIES LABELS style)

# Differential YAML test (tests/cli/yaml_diff.sh): rfguard's loader as a
# tool that prints each document as JSON, compared with kubectl's library.
add_executable(ydoc2json tests/yamldiff/ydoc2json.c)
target_link_libraries(ydoc2json PRIVATE rfg_core)
set_target_properties(ydoc2json PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
