#!/usr/bin/env bash
# checksrc.sh - ban functions that are unsafe or against project rules
# (STYLE.md 2.1). Usage: checksrc.sh [SOURCE_DIR]
set -u
root=${1:-.}
cd "$root" || exit 2
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|system|gets|cJSON_GetObjectItem|cJSON_GetErrorPtr|cJSON_[A-Za-z]*Reference[A-Za-z]*)[[:space:]]*\('
hits=$(grep -nE "$pattern" src/*/*.c src/*/*.h tests/unit/*.c 2>/dev/null | grep -v 'checksrc:allow')
if [ -n "$hits" ]; then
    echo "banned functions used:"
    echo "$hits"
    exit 1
fi
echo "checksrc: clean"
