#!/usr/bin/env bash
# Smoke test of what users install: the README's first command (`pip install .`, no extras).
# No pytest here: only the `symkkt` command of the active environment and coreutils.
#
# Checks: one `verify` (exit 0), certificates re-checked by `check-cert` (and a tampered one
# rejected), usage errors (exit 2, exactly one line on stderr, no traceback), refused output
# paths (exit 2, one line, nothing written), and file modes under umask 022 (0644 files,
# 0755 directories). Any failure is reported and the script exits 1.
set -uo pipefail

SYMKKT=${SYMKKT:-symkkt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "smoke: FAIL: $*" >&2
  failures=$((failures + 1))
}

show() { sed 's/^/    | /' "$1" >&2; }

# expect CODE STDERR_LINES ARGS...: run `symkkt ARGS` without stdin; the exit code must be
# CODE, stderr must have STDERR_LINES lines ("any": not counted) and never a traceback; an
# error line must start with "error: ".
expect() {
  local want=$1 lines=$2
  shift 2
  "$SYMKKT" "$@" </dev/null >"$work/stdout" 2>"$work/stderr"
  local rc=$? ok=1
  local n
  n=$(wc -l <"$work/stderr")
  if grep -q -e 'Traceback' -e 'internal error' "$work/stderr"; then
    fail "symkkt $*: traceback or internal error on stderr"; ok=0
  fi
  if [ "$rc" != "$want" ]; then
    fail "symkkt $*: exit code $rc, expected $want"; ok=0
  fi
  if [ "$lines" != any ] && [ "$n" -ne "$lines" ]; then
    fail "symkkt $*: $n lines on stderr, expected $lines"; ok=0
  fi
  if [ "$want" = 2 ] && ! head -n 1 "$work/stderr" | grep -q '^error: '; then
    fail "symkkt $*: the error line does not start with 'error: '"; ok=0
  fi
  if [ "$ok" = 1 ]; then
    echo "ok    symkkt $* -> exit $rc $(head -c 160 "$work/stderr" | head -n 1)"
  else
    show "$work/stderr"
  fi
}

mode() { stat -c %a "$1" 2>/dev/null || python -c 'import os,sys; print(oct(os.stat(sys.argv[1]).st_mode & 0o777)[2:])' "$1"; }

listing() { (cd "$1" && find . | LC_ALL=C sort); }

echo "smoke: $(command -v "$SYMKKT") in $(python -c 'import sys; print(sys.prefix)' 2>/dev/null)"

# 1. one verify, under umask 022, writing a report and certificates
old_umask=$(umask)
umask 022
mkdir "$work/out"
expect 0 any verify 4.1 --no-gf --json "$work/out/report.json" --certificates "$work/out/certs"
umask "$old_umask"
certs=("$work"/out/certs/*.json)
if [ ! -f "$work/out/report.json" ] || [ ! -f "${certs[0]}" ]; then
  fail "verify wrote no report or no certificates"
else
  for f in "$work/out/report.json" "${certs[@]}"; do
    [ "$(mode "$f")" = 644 ] || fail "$f has mode $(mode "$f"), expected 644 under umask 022"
  done
  [ "$(mode "$work/out/certs")" = 755 ] || fail "certificates directory has mode $(mode "$work/out/certs"), expected 755"
  echo "ok    modes: report and ${#certs[@]} certificates 644, directory 755 (umask 022)"

  # 2. the saved certificates re-checked by the kernel alone; a tampered one rejected
  expect 0 any check-cert "${certs[@]}"
  # a negative multiplier: the kernel must reject the certificate (exit 1)
  if python - "$work/out/certs/4.1_linear_kkt.json" "$work/tampered.json" <<'PY'
import json, sys
cert = json.load(open(sys.argv[1]))
assert cert["kind"] == "kkt" and cert["multipliers"] == ["1"], cert.get("multipliers")
cert["multipliers"] = ["-1"]
json.dump(cert, open(sys.argv[2], "w"))
PY
  then
    expect 1 any check-cert "$work/tampered.json"
  else
    fail "could not tamper with 4.1_linear_kkt.json (its format changed?)"
  fi
  printf '{"symkkt_certificate": 1,' >"$work/truncated.json"
  expect 2 1 check-cert "$work/truncated.json"
fi

# 3. usage errors: one line, exit 2 (the README install has no `click` package)
expect 2 1 verify --bogus
expect 2 1 check
expect 2 1 check-cert
expect 2 1 gf 3.2 --dps abc
expect 2 1 fuzz --examples abc
expect 2 1 verify 3.2 --dps
expect 2 1 nosuchcommand
expect 2 1 verify 9.9 --no-gf
expect 2 1 report
expect 0 any fuzz positive --examples 2

# 4. refused output paths: one line, exit 2, nothing written
mkdir -p "$work/refuse/adir"
echo keep >"$work/refuse/afile"
before=$(listing "$work/refuse")
for bad in /proc /sys; do
  [ -d "$bad" ] || continue
  expect 2 1 verify 4.1 --no-gf --json "$bad/symkkt-smoke.json"
  expect 2 1 verify 4.1 --no-gf --json "$work/refuse/r.json" --certificates "$bad/symkkt-smoke"
  expect 2 1 gf 3.2 --plot "$bad/symkkt-smoke.png"
done
expect 2 1 verify 4.1 --no-gf --json "$work/refuse/adir"
expect 2 1 verify 4.1 --no-gf --certificates "$work/refuse/afile"
expect 2 1 verify 4.1 --no-gf --certificates "$work/refuse/afile/sub"
expect 2 1 latex 3.2 --out "$work/refuse/afile"
[ "$(listing "$work/refuse")" = "$before" ] || fail "a refused path left something behind: $(listing "$work/refuse")"
[ "$(cat "$work/refuse/afile")" = keep ] || fail "a refused path overwrote $work/refuse/afile"
for f in /proc/symkkt-smoke.json /sys/symkkt-smoke.json /sys/symkkt-smoke /sys/symkkt-smoke.png; do
  if [ -e "$f" ]; then fail "$f was created"; fi
done

if [ "$failures" -gt 0 ]; then
  echo "smoke: $failures check(s) failed" >&2
  exit 1
fi
echo "smoke: all checks passed"
