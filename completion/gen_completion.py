#!/usr/bin/env python3
"""Write the bash completion for ringfwd and ringfwd-replay.

  gen_completion.py OUT... RINGFWD RINGFWD_REPLAY LIST_DEVARGS

The same script is written to every OUT (one per command name).

The options come from each binary's --help (which its option tables print),
the forwarding modes from ringfwd's --help, the devargs drivers and keys from
LIST_DEVARGS (the drivers' own tables). Nothing is listed by hand.
"""
import re
import subprocess
import sys


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def options(helptext):
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?=[\s=,\[]|$)",
                                 helptext, re.M)) - {"--"})


def modes(helptext):
    # The block under "Forwarding modes (--forward-mode):": "  name   what it does".
    out = []
    lines = helptext.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Forwarding modes"):
            for l in lines[i + 1:]:
                m = re.match(r"^  ([a-z0-9]+)\s{2,}\S", l)
                if m:
                    out.append(m.group(1))
                elif l.startswith("   "):
                    continue
                else:
                    break
            break
    return out


def main():
    outs, (fwd, replay, lister) = sys.argv[1:-3], sys.argv[-3:]
    fwd_help, replay_help = run(fwd, "--help"), run(replay, "--help")
    drivers = [l.split() for l in run(lister).splitlines() if l.strip()]
    q = lambda words: " ".join(words)
    case = "\n".join('\t\t%s) keys="%s" ;;' % (d[0], q(d[1:])) for d in drivers)
    text = f"""# bash completion for ringfwd and ringfwd-replay -*- shell-script -*-
# Generated at build time by completion/gen_completion.py from the binaries'
# --help and the drivers' devargs tables; do not edit.
#
# Candidates are made for the whole argument under the cursor (from
# COMP_LINE), then cut to the part bash replaces: it splits words at '=' and
# ':' too (COMP_WORDBREAKS), so "net_pcap0,rx_pcap=a.pcap,tx" is its last piece.

# Devargs (after --vdev): a driver name, then that driver's keys.
_ringfwd_vdev() {{
	local cur=$1 drv keys k
	if [[ $cur != *,* ]]; then
		compgen -W "{q(d[0] + '0,' for d in drivers)}" -- "$cur"
		return
	fi
	drv=${{cur%%,*}}
	drv=${{drv%%[0-9]*}}
	case $drv in
{case}
	*) keys="" ;;
	esac
	for k in $keys; do
		[[ $k= == "${{cur##*,}}"* ]] && echo "${{cur%,*}},$k="
	done
}}

_ringfwd_common() {{
	local opts=$1 line arg prev word lead c
	local -a toks cands
	line=${{COMP_LINE:0:COMP_POINT}}
	read -ra toks <<<"$line"
	if [[ $line == *[[:space:]] ]]; then
		arg="" prev=${{toks[-1]}}
	else
		arg=${{toks[-1]}} prev=${{toks[-2]:-}}
	fi
	word=${{COMP_WORDS[COMP_CWORD]}}
	lead=${{arg%"$word"}}
	if [[ $prev == --vdev ]]; then
		mapfile -t cands < <(_ringfwd_vdev "$arg")
	elif [[ $arg == --vdev=* ]]; then
		mapfile -t cands < <(_ringfwd_vdev "${{arg#--vdev=}}" | sed 's/^/--vdev=/')
	elif [[ $prev == --forward-mode ]]; then
		mapfile -t cands < <(compgen -W "{q(modes(fwd_help))}" -- "$arg")
	elif [[ $arg == --forward-mode=* ]]; then
		mapfile -t cands < <(compgen -P --forward-mode= -W "{q(modes(fwd_help))}" -- "${{arg#--forward-mode=}}")
	elif [[ $arg == -* ]]; then
		mapfile -t cands < <(compgen -W "$opts" -- "$arg")
	else
		mapfile -t cands < <(compgen -f -- "$arg")
	fi
	COMPREPLY=()
	for c in "${{cands[@]}}"; do
		[[ $c == "$lead"* ]] && COMPREPLY+=("${{c#"$lead"}}")
	done
	# A devargs key or a driver name goes on with its value: no space after it.
	[[ ${{COMPREPLY[0]:-}} == *[=,] ]] && compopt -o nospace 2>/dev/null
	return 0
}}

_ringfwd() {{ _ringfwd_common "{q(options(fwd_help))}"; }}
_ringfwd_replay() {{ _ringfwd_common "{q(options(replay_help))}"; }}
complete -F _ringfwd ringfwd
complete -F _ringfwd_replay ringfwd-replay
"""
    for out in outs:
        with open(out, "w") as f:
            f.write(text)


main()
