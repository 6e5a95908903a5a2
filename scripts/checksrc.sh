#!/usr/bin/env bash
# checksrc.sh - source checks the compiler does not make:
#   1. banned functions, unsafe or against the project's rules (any file
#      may allow one use with a "checksrc:allow" comment on its line);
#   2. include layering: a file in src/<layer>/ includes only headers of
#      its own layer and the layers below it, and no file of the core
#      (the layers rfguard lint links) includes a network or TLS library;
#   3. with --sizes: no .c file in src/ is longer than --max-lines lines
#      (default 750), generated files ("do not edit" in their first three
#      lines) aside. --sizes-warn prints the long files without failing.
#
# Usage: checksrc.sh [--sizes | --sizes-warn] [--max-lines N] [SOURCE_DIR]
# Offenders are printed as file:line; the exit status is 1 when any check
# failed, 2 on a usage error.
set -u

sizes=off
max_lines=750
root=.
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) sizes=fail ;;
    --sizes-warn) sizes=warn ;;
    --max-lines)
        [ $# -ge 2 ] || { echo "checksrc: --max-lines needs a number" >&2; exit 2; }
        max_lines=$2
        shift
        ;;
    -h | --help)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
        exit 0
        ;;
    -*) echo "checksrc: unknown option $1" >&2; exit 2 ;;
    *) root=$1 ;;
    esac
    shift
done
case $max_lines in
'' | *[!0-9]*) echo "checksrc: --max-lines needs a number" >&2; exit 2 ;;
esac
cd "$root" || exit 2
status=0

# ---- 1. banned functions ----
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|system|gets|cJSON_GetObjectItem|cJSON_GetErrorPtr|cJSON_[A-Za-z]*Reference[A-Za-z]*)[[:space:]]*\('
# Comment lines (" * ...", "/* ...") only mention a name: not a call.
hits=$(grep -nE "$pattern" src/*/*.c src/*/*.h tests/unit/*.c 2>/dev/null |
       grep -v 'checksrc:allow' |
       grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
    echo "banned functions used:"
    echo "$hits"
    status=1
fi

# ---- 2. include layering ----
# The layers each layer may include, itself first. Lowest first:
# util <- yaml <- k8s <- rules <- lint, webhook (together the core,
# rfg_core); net sits on util, yaml and k8s; cli on everything.
allowed_for() {
    case $1 in
    util) echo "util" ;;
    yaml) echo "yaml util" ;;
    k8s) echo "k8s yaml util" ;;
    rules) echo "rules k8s yaml util" ;;
    lint) echo "lint rules k8s yaml util" ;;
    webhook) echo "webhook rules k8s yaml util" ;;
    net) echo "net k8s yaml util" ;;
    cli) echo "cli net webhook lint rules k8s yaml util" ;;
    *) echo "" ;;
    esac
}
core_layers="util yaml k8s rules lint webhook"

# Which layer each project header belongs to (header name -> folder).
declare -A layer_of
for h in src/*/*.h; do
    [ -e "$h" ] || continue
    d=${h#src/}
    layer_of[${h##*/}]=${d%%/*}
done

bad_layer=""
bad_net=""
for f in src/*/*.c src/*/*.h; do
    [ -e "$f" ] || continue
    d=${f#src/}
    layer=${d%%/*}
    ok=$(allowed_for "$layer")
    if [ -z "$ok" ]; then
        bad_layer+="$f: src/$layer/ is not a known layer (add it to scripts/checksrc.sh)"$'\n'
        continue
    fi
    core=no
    case " $core_layers " in *" $layer "*) core=yes ;; esac
    while IFS=: read -r line text; do
        [ -n "$line" ] || continue
        case $text in *checksrc:allow*) continue ;; esac
        # "project.h": must be of an allowed layer. A header that is not
        # under src/ (a generated or test header) is not judged here.
        if [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
            inc=${BASH_REMATCH[1]}
            to=${layer_of[${inc##*/}]:-}
            if [ -n "$to" ] && [[ " $ok " != *" $to "* ]]; then
                bad_layer+="$f:$line: includes \"$inc\" of layer $to; src/$layer/ may include only: $ok"$'\n'
            fi
        elif [ $core = yes ] &&
             [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<(microhttpd|gnutls/|openssl/|curl/)([^\>]*)\> ]]; then
            bad_net+="$f:$line: includes <${BASH_REMATCH[1]}${BASH_REMATCH[2]}>, a network or TLS library, in the core (rfg_core links none)"$'\n'
        fi
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$f")
done
if [ -n "$bad_layer" ]; then
    echo "includes across layers (a layer includes only its own and lower layers):"
    printf '%s' "$bad_layer"
    status=1
fi
if [ -n "$bad_net" ]; then
    echo "network libraries in the core:"
    printf '%s' "$bad_net"
    status=1
fi

# ---- 3. file sizes (opt-in) ----
if [ $sizes != off ]; then
    # Generated files (a "do not edit" in their first lines) are exempt.
    long=""
    for f in src/*/*.c; do
        [ -e "$f" ] || continue
        head -n 3 "$f" | grep -qi 'do not edit' && continue
        n=$(wc -l < "$f")
        [ "$n" -gt "$max_lines" ] &&
            long+="$f: $n lines (limit $max_lines)"$'\n'
    done
    if [ -n "$long" ]; then
        if [ $sizes = fail ]; then
            echo "files too long (split them by concern):"
            status=1
        else
            echo "warning: files too long (split them by concern):"
        fi
        printf '%s' "$long"
    fi
fi

[ $status = 0 ] && echo "checksrc: clean"
exit $status
