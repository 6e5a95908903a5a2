# cmake -DIN=file -DOUT=file.c -DSYM=name -P Embed.cmake
# Turns a file into a NUL-terminated C array so the binary works with no files.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN}; do not edit */\n#include <stddef.h>\nconst char ${SYM}[] = {\n${hex}0x00};\nconst size_t ${SYM}_len = sizeof(${SYM}) - 1;\n")
