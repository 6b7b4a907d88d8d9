#!/bin/zsh -f
# Complete LINE (cursor at its end) with the _sbxrun in DIR the way an interactive zsh would,
# and print the candidates one a line: a zsh on a pseudo-terminal gets LINE and a Tab, and a
# compadd wrapper records what the completion functions offer.
#   usage: check_zsh.zsh DIR LINE      (run it in the directory to complete in)
zmodload zsh/zpty || exit 1
dir=$1 line=$2
out=$(mktemp) done=$(mktemp -u)
zpty sh zsh -f -i
zpty -w sh "PS1='>'; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w sh "compadd() { local -a h; builtin compadd -O h \"\$@\"; print -rl -- \$h >> ${(q)out}; builtin compadd \"\$@\" }"
zpty -w sh "compprefuncs=(sbx_pre); sbx_pre() { comppostfuncs=(sbx_post) }; sbx_post() { : > ${(q)done} }"
zpty -w -n sh "$line"$'\t'
for i in {1..100}; do  # up to 10 s for the completion to finish
    [[ -e $done ]] && break
    sleep 0.1
    zpty -r -t sh junk >/dev/null 2>&1
done
zpty -d sh
[[ -e $done ]] || { print -u2 "zsh did not complete '$line'"; rm -f $out; exit 1 }
sort -u $out
rm -f $out $done
