# bash completion for sbxrun(1)                                   -*- shell-script -*-
# Installed as bash-completion/completions/sbxrun; uses bash-completion's helpers when they are
# loaded (they always are when this file is found through bash-completion's loader).
# The option list must match `sbxrun --help`: completions/check.py (a unit test) compares them.

_sbxrun() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        # -s: split "--opt=value"; -n : keeps "codex:FILE" in one word for --import.
        _init_completion -s -n : || return
    else
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi

    local opts_with_arg='--policy --import --workspace -C --cwd --backend --tty --explain-format
        --status-fd --status-file --timeout --trust-policy'
    local opts_flag='--explain --check --doctor --print-policy -q --quiet -v --verbose
        --version --help'

    # Option parsing stops at "--" or at the first word that is not an option (sbxrun ls -l):
    # from there on, complete the command and its arguments as the shell would.
    local i=1 w cmd=0
    while ((i < cword)); do
        w=${words[i]}
        case $w in
            --)
                cmd=$((i + 1))
                break
                ;;
            --*=*) ;;
            --policy | --import | --workspace | -C | --cwd | --backend | --tty | --explain-format | \
                --status-fd | --status-file | --timeout | --trust-policy | -[qv]*C)
                i=$((i + 1)) # its value (--trust-policy: its file, also written as an operand)
                ;;
            -*) ;;
            *)
                cmd=$i
                break
                ;;
        esac
        i=$((i + 1))
    done
    if ((cmd > 0)); then
        if declare -F _command_offset >/dev/null; then
            _command_offset "$cmd"
        elif ((cmd == cword)); then
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return
    fi

    case $prev in
        --policy)
            if declare -F _filedir >/dev/null; then
                _filedir '@(toml|json)'
            else
                compopt -o filenames
                mapfile -t COMPREPLY < <(compgen -f -X '!*.@(toml|json)' -- "$cur"; compgen -d -- "$cur")
            fi
            return
            ;;
        --import)
            # KIND:FILE, KIND being codex (a Codex config.toml) or srt (sandbox-runtime JSON).
            if [[ $cur == *:* ]]; then
                local kind=${cur%%:*} file=${cur#*:} f
                compopt -o filenames
                COMPREPLY=()
                while IFS= read -r f; do
                    [[ -d $f ]] && f+=/
                    COMPREPLY+=("$kind:$f")
                done < <(compgen -f -- "$file")
                [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == */ ]] && compopt -o nospace
                declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
            else
                compopt -o nospace
                mapfile -t COMPREPLY < <(compgen -W 'codex: srt:' -- "$cur")
            fi
            return
            ;;
        --workspace | -C | --cwd | -[qv]*C)
            if declare -F _filedir >/dev/null; then
                _filedir -d
            else
                compopt -o filenames
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            fi
            return
            ;;
        --status-file | --trust-policy)
            if declare -F _filedir >/dev/null; then
                _filedir
            else
                compopt -o filenames
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return
            ;;
        --backend)
            mapfile -t COMPREPLY < <(compgen -W 'auto bwrap landlock' -- "$cur")
            return
            ;;
        --tty)
            mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
            return
            ;;
        --explain-format)
            mapfile -t COMPREPLY < <(compgen -W 'text json' -- "$cur")
            return
            ;;
        --status-fd | --timeout)
            return  # a number: nothing to offer
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        # shellcheck disable=SC2086  # the lists are words on purpose
        mapfile -t COMPREPLY < <(compgen -W "$opts_with_arg $opts_flag" -- "$cur")
        return
    fi
    # The first word that is not an option is the command.
    mapfile -t COMPREPLY < <(compgen -c -- "$cur")
} &&
    complete -F _sbxrun sbxrun

# ex: filetype=sh
