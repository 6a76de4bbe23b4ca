#!/usr/bin/env bash
# Runs a command on a lab host as root. Usage: lab/ssh.sh NAME [COMMAND ...]
source "$(dirname "$0")/lib.sh"
name=${1:?usage: ssh.sh NAME [COMMAND ...]}; shift
port=$(cat "$LAB_STATE/hosts/$name/port" 2>/dev/null) || die "no running lab host '$name'"
lab_ssh_port "$port" "$@"
