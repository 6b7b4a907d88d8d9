#!/bin/bash
# The shell completions against `sbxrun --help` (TAP):
#   - every option (long and short) of --help is offered by each completion file, and no file
#     offers an option --help does not list;
#   - every value list of a placeholder (--backend auto|bwrap|landlock) is offered as is;
#   - each file parses in its shell, and really completes there (bash with bash-completion).
# zsh, fish and bash-completion are optional on a developer's machine (their checks skip);
# with SBXRUN_MUST_WORK=1 (CI) a missing one is a failure.
#   usage: check.sh SBXRUN COMPLETIONS_DIR
set -u
sbxrun=$1
dir=$2

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
skip() {
    if [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then
        not_ok "$1 (cannot check: $2; SBXRUN_MUST_WORK=1)"
    else
        n=$((n + 1)); echo "ok $n - $1 # SKIP $2"
    fi
}

# --- the options, from --help's option lines: "  -C, --cwd DIR  ..." / "      --check  ..."
help=$("$sbxrun" --help) || { echo "Bail out! $sbxrun --help failed"; exit 1; }
longs=() shorts=() valuelists=()
re='^  (-([A-Za-z]), |    )--([a-z][a-z-]*)( ([^ ]+))?'
while IFS= read -r line; do
    [[ $line =~ $re ]] || continue
    longs+=("${BASH_REMATCH[3]}")
    [ -n "${BASH_REMATCH[2]}" ] && shorts+=("${BASH_REMATCH[2]}")
    arg=${BASH_REMATCH[5]}
    [[ $arg == *'|'* ]] && valuelists+=("${arg//|/ }")
done <<<"$help"
check "--help lists the options (found ${#longs[@]})" test "${#longs[@]}" -ge 10
check "--help has value lists (found ${#valuelists[@]})" test "${#valuelists[@]}" -ge 2

in_list() {
    local x=$1; shift
    local y
    for y in "$@"; do [ "$x" = "$y" ] && return 0; done
    return 1
}

# check_file NAME FILE LONG_FMT SHORT_FMT OFFERED_CMD: LONG_FMT/SHORT_FMT are grep -E patterns
# with %s for the name; OFFERED_CMD prints the long options the file offers.
check_file() {
    local name=$1 file=$2 long_fmt=$3 short_fmt=$4 offered_cmd=$5 o missing=() extra=()
    local body
    body=$(grep -v '^[[:space:]]*#' "$file")  # comments may mention anything
    for o in "${longs[@]}"; do
        # shellcheck disable=SC2059
        grep -qE -- "$(printf -- "$long_fmt" "$o")" <<<"$body" || missing+=("--$o")
    done
    for o in "${shorts[@]}"; do
        # shellcheck disable=SC2059
        grep -qE -- "$(printf -- "$short_fmt" "$o")" <<<"$body" || missing+=("-$o")
    done
    check "$name offers every option of --help${missing[*]:+ (missing: ${missing[*]})}" \
        test "${#missing[@]}" = 0
    while read -r o; do
        in_list "$o" "${longs[@]}" || extra+=("--$o")
    done < <($offered_cmd <<<"$body" | sort -u)
    check "$name offers no option --help lacks${extra[*]:+ (extra: ${extra[*]})}" \
        test "${#extra[@]}" = 0
    missing=()
    for o in "${valuelists[@]}"; do
        grep -qF -- "$o" <<<"$body" || missing+=("'$o'")
    done
    check "$name offers every value list${missing[*]:+ (missing: ${missing[*]})}" \
        test "${#missing[@]}" = 0
}
dashed_longs() { grep -oE -- '--[a-z][a-z-]*' | sed 's/^--//'; }
fish_longs() { grep -E '^complete ' | grep -oE -- ' -l [a-z][a-z-]*' | sed 's/^ -l //'; }

check_file bash "$dir/sbxrun.bash" '(^|[^a-z-])--%s([^a-z-]|$)' '(^|[^A-Za-z-])-%s([^A-Za-z]|$)' \
    dashed_longs
check_file zsh "$dir/_sbxrun" '(^|[^a-z-])--%s([^a-z-]|$)' '(^|[^A-Za-z-])-%s([^A-Za-z]|$)' \
    dashed_longs
check_file fish "$dir/sbxrun.fish" '-l %s( |$)' '-s %s( |$)' fish_longs

# --- syntax
check "bash parses sbxrun.bash" bash -n "$dir/sbxrun.bash"
if command -v zsh >/dev/null; then
    check "zsh parses _sbxrun" zsh -n "$dir/_sbxrun"
else
    skip "zsh parses _sbxrun" "zsh is not installed"
fi
if command -v fish >/dev/null; then
    check "fish parses sbxrun.fish" fish --no-execute "$dir/sbxrun.fish"
else
    skip "fish parses sbxrun.fish" "fish is not installed"
fi

# --- completing for real, in a scratch directory with known files
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/sub"
touch "$work/a.toml" "$work/b.json" "$work/c.txt"

# expect SHELL LINE WANT...: completing LINE (cursor at its end) offers every WANT.
# expect_not SHELL LINE UNWANTED...: it offers none of them.
got_for() {  # SHELL LINE: the candidates, one a line
    case $1 in
        bash) (cd "$work" && bash "$dir/check_bash.sh" "$dir/sbxrun.bash" "$2") ;;
        zsh) (cd "$work" && zsh -f "$dir/check_zsh.zsh" "$dir" "$2") ;;
        fish) (cd "$work" && fish -c 'source $argv[1]; complete -C $argv[2]' "$dir/sbxrun.fish" "$2" |
            cut -f1) ;;
    esac
}
expect() {
    local sh=$1 line=$2 w got missing=(); shift 2
    got=$(got_for "$sh" "$line" 2>/dev/null)
    for w in "$@"; do grep -qxF -- "$w" <<<"$got" || missing+=("$w"); done
    check "$sh: '$line' offers $*${missing[*]:+ (missing: ${missing[*]}; got: $(head -8 <<<"$got" | tr '\n' ' '))}" \
        test "${#missing[@]}" = 0
}
expect_not() {
    local sh=$1 line=$2 w got bad=(); shift 2
    got=$(got_for "$sh" "$line" 2>/dev/null)
    for w in "$@"; do grep -qxF -- "$w" <<<"$got" && bad+=("$w"); done
    check "$sh: '$line' does not offer $*" test "${#bad[@]}" = 0
}
functional() {
    local sh=$1
    expect "$sh" 'sbxrun --back' --backend
    expect "$sh" 'sbxrun --backend ' auto bwrap landlock
    expect "$sh" 'sbxrun --explain-format ' text json
    expect "$sh" 'sbxrun --policy ' a.toml b.json
    expect_not "$sh" 'sbxrun --policy ' c.txt
    expect_not "$sh" 'sbxrun --workspace ' a.toml
    expect_not "$sh" 'sbxrun -C ' c.txt
    expect "$sh" 'sbxrun -q --policy a.toml bas' bash
    expect "$sh" 'sbxrun -- bas' bash
    expect_not "$sh" 'sbxrun -- ls --ch' --check
    expect_not "$sh" 'sbxrun true --ch' --check
    expect "$sh" 'sbxrun --ch' --check
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
    functional bash
    # ":" breaks words in bash, so the candidate is what follows it.
    expect bash 'sbxrun --import ' codex: srt:
    expect bash 'sbxrun --import codex:a' a.toml
    expect bash 'sbxrun --import=srt:' a.toml sub/
else
    skip "bash completes for real" "bash-completion is not installed"
fi
if command -v zsh >/dev/null; then
    functional zsh
    expect zsh 'sbxrun --import ' codex srt  # the ":" is added as a suffix
    expect zsh 'sbxrun --import codex:a' a.toml
else
    skip "zsh completes for real" "zsh is not installed"
fi
if command -v fish >/dev/null; then
    functional fish
    expect fish 'sbxrun --import ' codex: srt:
    expect fish 'sbxrun --import codex:a' codex:a.toml
    expect fish 'sbxrun --policy=' --policy=a.toml
    expect fish 'sbxrun --workspace ' sub/
else
    skip "fish completes for real" "fish is not installed"
fi

echo "1..$n"
[ "$failed" = 0 ]
