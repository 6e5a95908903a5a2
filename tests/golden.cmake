# Runs `rfguard lint <case>.yaml` (or the command in <case>.args, with
# <case>.stdin as standard input when present) inside tests/lint and
# compares stdout plus a final "[exit N]" line with <case>.expected.
set(args "")
if(EXISTS "${DIR}/${CASE}.args")
  file(READ "${DIR}/${CASE}.args" argstr)
  string(STRIP "${argstr}" argstr)
  separate_arguments(args UNIX_COMMAND "${argstr}")
else()
  set(args lint --no-color ${CASE}.yaml)
endif()
set(input "")
if(EXISTS "${DIR}/${CASE}.stdin")
  set(input INPUT_FILE "${DIR}/${CASE}.stdin")
endif()
execute_process(COMMAND ${RFGUARD} ${args}
  WORKING_DIRECTORY ${DIR} ${input}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(actual "${out}[exit ${rc}]\n")
file(READ "${DIR}/${CASE}.expected" expected)
if(NOT actual STREQUAL expected)
  message("---- expected\n${expected}---- actual\n${actual}---- stderr\n${err}")
  message(FATAL_ERROR "golden ${CASE}: output differs")
endif()
