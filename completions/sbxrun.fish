# fish completion for sbxrun(1). Installed as fish/vendor_completions.d/sbxrun.fish.
# The option list must match `sbxrun --help`: completions/check.sh (a unit test) compares them.

# Where the current token stands: "value" (the argument of an option), "option" (an option or
# the command name) or "command" (inside the command: sbxrun stops parsing at "--" or at the
# first word that is not an option, so `sbxrun ls -l` gives -l to ls). For "command" the
# command's words so far follow on the next lines.
function __fish_sbxrun_position
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l want_value 0
    for i in (seq (count $tokens))
        set -l t $tokens[$i]
        if test $want_value = 1
            set want_value 0
            continue
        end
        if test "x$t" = x--  # not a switch case, nor bare "--": both would read it as "end of options"
            echo command
            for w in $tokens[(math $i + 1)..-1]  # not printf: with no words it prints one empty line
                echo $w
            end
            return
        end
        switch $t
            case '--*=*'
            case --policy --import --workspace -C --cwd --backend --tty --explain-format \
                    --status-fd --status-file --timeout --trust-policy '-[qv]*C'
                set want_value 1
            case '-*'
            case '*'
                echo command
                for w in $tokens[$i..-1]
                    echo $w
                end
                return
        end
    end
    if test $want_value = 1
        echo value
    else
        echo option
    end
end

function __fish_sbxrun_options_allowed
    test (__fish_sbxrun_position)[1] != command
end

# The command's own completion, as if it had been typed without sbxrun in front.
function __fish_sbxrun_complete_command
    set -l pos (__fish_sbxrun_position)
    set -l words (string escape -- $pos[2..-1]) (commandline -ct)
    complete -C (string join -- ' ' $words)
end

# Policy files: *.toml, *.json and directories to descend into.
function __fish_sbxrun_policy_files
    for f in (__fish_complete_path (commandline -ct | string replace -r -- '^--policy=' ''))
        string match -qr -- '(/|\.toml|\.json)(\t|$)' $f; and echo $f
    end
end

function __fish_sbxrun_import
    set -l cur (commandline -ct)
    set cur (string replace -r -- '^--import=' '' $cur)
    if string match -qr -- '^(codex|srt):' $cur
        set -l kind (string split -m1 -- : $cur)[1]
        set -l file (string split -m1 -- : $cur)[2]
        for f in (__fish_complete_path $file)
            printf '%s:%s\n' $kind $f
        end
    else
        printf '%s\t%s\n' codex: 'a Codex config.toml' srt: 'a sandbox-runtime settings JSON'
    end
end

complete -c sbxrun -f
complete -c sbxrun -n 'not __fish_sbxrun_options_allowed' -a '(__fish_sbxrun_complete_command)'
complete -c sbxrun -n 'test (__fish_sbxrun_position)[1] = option' -a '(__fish_complete_command)'

set -l opt -c sbxrun -n __fish_sbxrun_options_allowed
complete $opt -l policy -x -a '(__fish_sbxrun_policy_files)' -d 'Policy file (.toml or .json); repeatable'
complete $opt -l import -x -a '(__fish_sbxrun_import)' -d 'Start from a Codex config.toml (codex:FILE) or srt settings (srt:FILE)'
complete $opt -l workspace -x -a '(__fish_complete_directories)' -d 'Directory ${workspace} stands for'
complete $opt -s C -l cwd -x -a '(__fish_complete_directories)' -d 'Working directory of the command'
complete $opt -l backend -x -a 'auto bwrap landlock' -d 'Force a backend'
complete $opt -l tty -x -a 'auto always never' -d 'Give the command a terminal of its own'
complete $opt -l explain -d 'Print the resolved plan and backend argv; run nothing'
complete $opt -l explain-format -x -a 'text json' -d 'Format for --explain, --print-policy, --doctor'
complete $opt -l check -d 'Validate the policy and resolve the plan; run nothing'
complete $opt -l doctor -d 'Report which backends work on this host'
complete $opt -l print-policy -d 'Print the effective policy; run nothing'
complete $opt -l trust-policy -r -F -d 'Approve <workspace>/.sbxrun.toml (or PATH) for discovery; run nothing'
complete $opt -l status-fd -x -d 'Write the JSON status document to fd N'
complete $opt -l status-file -r -F -d 'Write the JSON status document to PATH'
complete $opt -l timeout -x -d 'Kill the sandbox after SECONDS'
complete $opt -s q -l quiet -d 'Fewer diagnostics on stderr (repeatable)'
complete $opt -s v -l verbose -d 'More diagnostics on stderr (repeatable)'
complete $opt -l version -d 'Print the version and exit'
complete $opt -l help -d 'Print this help and exit'
