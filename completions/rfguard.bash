# bash completion for rfguard                               -*- shell-script -*-
#
# Completes the subcommands, each one's options, rule ids for
# `rfguard explain`, output formats for `-o`, operator targets for
# -t (and the next one after a comma), kinds for `rfguard rules --kind`,
# and file names elsewhere. Installed as
# share/bash-completion/completions/rfguard; to try it without installing:
#   source completions/rfguard.bash

_rfguard()
{
    local cur prev words cword cmd i opts
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    cmd=
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -*) ;;
        *)
            cmd=${words[i]}
            break
            ;;
        esac
    done

    if [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W 'lint fix audit sentinels serve certs rules explain version
            help --help --version' -- "$cur")
        return
    fi

    # option values
    case $prev in
    -o | --format)
        if [[ $cmd == rules ]]; then
            mapfile -t COMPREPLY < <(compgen -W 'text json' -- "$cur")
        elif [[ $cmd == audit || $cmd == sentinels ]]; then
            mapfile -t COMPREPLY < <(compgen -W 'text json sarif junit github
                policyreport' -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W 'text json sarif junit github' -- "$cur")
        fi
        return
        ;;
    -t | --target)
        # one target, or a comma-separated list (at most one per
        # operator): complete the name after the last comma
        local pre=
        [[ $cur == *,* ]] && pre=${cur%,*},
        mapfile -t COMPREPLY < <(compgen -P "$pre" -W 'spotahome-v1.2
            spotahome-v1.3 freshworks-v3.3 opstree-v0.26' -- "${cur##*,}")
        return
        ;;
    --kind)
        local pre=
        [[ $cur == *,* ]] && pre=${cur%,*},
        mapfile -t COMPREPLY < <(compgen -P "$pre" -W 'RedisFailover
            RedisSentinel RedisReplication redisfailovers redissentinels
            redisreplications' -- "${cur##*,}")
        return
        ;;
    -p | --policy | --crd | -c | --cluster-state | --tls-cert | --tls-key | \
        --client-ca | --kubeconfig | -f | --filename)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        return
        ;;
    --out)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return
        ;;
    -w)
        [[ $cmd == lint ]] && return # --max-warnings N; fix -w is --write
        ;;
    -n | --namespace | -x | --exclude | --max-warnings | -j | --jobs | \
        --stdin-filename | --listen | --metrics-listen | --threads | \
        --timeout | --max-connections | --max-connections-per-ip | \
        --shutdown-grace | --context | --service | --days | --secret-name | \
        --cluster-stale-ms | --claim-grace | --claim-reconcile | \
        --watch-timeout | --api-deadline | -l | --selector | --chunk-size | \
        --audit-interval | --audit-debounce | --sentinel-port | --deadline | \
        --parallel | --password-secret | --sentinel-check-interval | \
        --sentinel-password-secret)
        return
        ;;
    esac

    case $cmd in
    lint)
        opts='--policy --target --namespace --format --crd --cluster-state
            --exclude --max-warnings --jobs --stdin-filename --no-color
            --quiet --help'
        ;;
    fix)
        opts='--policy --target --crd --namespace --apply --write
            --stdin-filename --help'
        ;;
    audit)
        opts='--filename --kubeconfig --context --chunk-size --no-secrets
            --namespace --all-namespaces --selector --format --policy
            --target --crd --sentinels --sentinel-port --password-secret
            --no-color --quiet --help'
        ;;
    sentinels)
        opts='--filename --kubeconfig --context --namespace --all-namespaces
            --selector --sentinel-port --timeout --deadline --parallel
            --password-secret --target --format --no-color --quiet --help'
        ;;
    serve)
        opts='--listen --tls-cert --tls-key --client-ca --policy
            --metrics-listen --threads --timeout --max-connections
            --max-connections-per-ip --shutdown-grace --kubeconfig --context
            --in-cluster --no-cluster --namespace --cluster-stale-ms
            --claim-grace --claim-reconcile --watch-timeout --api-deadline
            --audit-interval --audit-debounce --audit-dry-run
            --sentinel-check-interval --sentinel-password-secret --help'
        ;;
    certs)
        opts='--service --namespace --out --dev --days --k8s --secret-name
            --help'
        ;;
    rules)
        opts='--policy --target --kind --format --help'
        ;;
    explain)
        if [[ $cur != -* ]]; then
            # the rule ids, from the rfguard being completed
            mapfile -t COMPREPLY < <(compgen -W "$("${words[0]}" rules \
                2>/dev/null | awk 'NR > 1 && $1 ~ /^[a-z][a-z0-9-]*$/ {
                print $1 }')" -- "$cur")
            return
        fi
        opts='--help'
        ;;
    version)
        opts='--verbose'
        ;;
    *)
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return
    fi
    case $cmd in
    lint | fix)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        ;;
    esac
} &&
    complete -F _rfguard rfguard

# ex: filetype=sh
