# bash completion for fsrace(1): subcommands, each one's options (from
# its own --help, so that they never drift), the values of the options
# that take words, rule ids, and file names elsewhere.
# shellcheck shell=bash

_fsrace_options() {
	# the long and short options of "fsrace CMD --help"
	"$1" "$2" --help 2>/dev/null |
		grep -oE '(^|[ ,[])--?[a-z][a-z0-9-]*' | sed 's/^[ ,[]*//' | sort -u
}

_fsrace_rules() {
	"$1" rules list 2>/dev/null | awk '{print $1}'
}

_fsrace() {
	local fsrace=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev= cmd= i
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--) return 0 ;; # the traced program's own arguments
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	# the traced program's own arguments: bash's default completion
	for ((; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = -- ] && return 0
	done
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W \
			"run analyze show record import merge dump rules help --version \
			--help" \
			-- "$cur")
		return 0
	fi
	case $prev in
	-f | --format)
		mapfile -t COMPREPLY < <(compgen -W \
			"text json sarif github codequality html" -- "$cur")
		return 0 ;;
	--fail-on)
		mapfile -t COMPREPLY < <(compgen -W "error warning note none" \
			-- "$cur")
		return 0 ;;
	--color)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
		return 0 ;;
	--scope)
		mapfile -t COMPREPLY < <(compgen -W "default all" -- "$cur")
		return 0 ;;
	--input-format)
		mapfile -t COMPREPLY < <(compgen -W "auto native strace" \
			-- "$cur")
		return 0 ;;
	--enable | --disable | --severity | --param)
		mapfile -t COMPREPLY < <(compgen -W "$(_fsrace_rules "$fsrace")" \
			-- "$cur")
		return 0 ;;
	-p | --stack-depth | --stack-snapshot)
		return 0 ;;
	esac
	case $cmd in
	rules)
		if [ "$prev" = rules ]; then
			mapfile -t COMPREPLY < <(compgen -W "list show check" \
				-- "$cur")
			return 0
		fi
		if [ "$prev" = show ]; then
			mapfile -t COMPREPLY < <(compgen -W \
				"$(_fsrace_rules "$fsrace")" -- "$cur")
			return 0
		fi ;;
	help)
		mapfile -t COMPREPLY < <(compgen -W \
			"run analyze record import dump rules" -- "$cur")
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W \
			"$(_fsrace_options "$fsrace" "$cmd")" -- "$cur")
		return 0
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o default -F _fsrace fsrace
