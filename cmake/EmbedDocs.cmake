# cmake -DDIR=docs/rules -DOUT=rule_docs_data.c -P EmbedDocs.cmake
# Compiles every DIR/<id>.md into the table rule_docs.h declares, sorted
# by id, so `rfguard explain` needs no files at run time.
file(GLOB docs "${DIR}/*.md")
# Sort the ids, not the paths: "a-b.md" sorts before "a.md", "a" before "a-b".
set(ids "")
foreach(doc ${docs})
  get_filename_component(id "${doc}" NAME_WE)
  list(APPEND ids "${id}")
endforeach()
list(SORT ids)
set(body "")
set(table "")
set(n 0)
foreach(id ${ids})
  set(doc "${DIR}/${id}.md")
  file(READ "${doc}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
  string(APPEND body "static const char doc_${n}[] = {\n${hex}0x00};\n")
  string(APPEND table "    {\"${id}\", doc_${n}, sizeof(doc_${n}) - 1},\n")
  math(EXPR n "${n} + 1")
endforeach()
file(WRITE "${OUT}" "/* generated from docs/rules/<id>.md by cmake/EmbedDocs.cmake; do not edit */
#include <stddef.h>

#include \"rule_docs.h\"

${body}
const struct rule_doc rule_docs[] = {
${table}    {NULL, NULL, 0}
};
const size_t rule_docs_count = ${n};
")
