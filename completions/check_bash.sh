#!/bin/bash
# Complete LINE (cursor at its end) with FILE's function the way bash would, with
# bash-completion loaded, and print the candidates one a line.
#   usage: check_bash.sh FILE LINE
# Like readline, the words are split at blanks and at the break characters "=" and ":", which
# become words of their own (COMP_WORDBREAKS); bash-completion joins them back as it needs.
source /usr/share/bash-completion/bash_completion
source "$1"
line=$2
words=()
word=
for ((i = 0; i < ${#line}; i++)); do
    c=${line:i:1}
    case $c in
        ' ') [ -n "$word" ] && words+=("$word"); word= ;;
        = | :) [ -n "$word" ] && words+=("$word"); words+=("$c"); word= ;;
        *) word+=$c ;;
    esac
done
words+=("$word")  # the word being completed, empty after a blank
COMP_WORDS=("${words[@]}")
COMP_CWORD=$((${#words[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=9
COMPREPLY=()
compopt() { :; }  # only valid while bash itself is completing
spec=$(complete -p "${words[0]}") || exit 1
func=${spec#*-F }
func=${func%% *}
"$func" "${words[0]}" "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
