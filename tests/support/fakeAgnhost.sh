#!/bin/sh
# A stand-in for agnhost's `connect HOST:PORT --timeout=Ns`, which the fake kubelet (tests/support/fakeKubeApi.ts) runs
# in place of the image's /agnhost. It answers from $FAKE_ANSWERS, one line per target: "HOST:PORT ANSWER...". The
# Nth attempt at a target gets the Nth answer and the last one repeats, so "TIMEOUT TIMEOUT CONNECTED" is a policy that
# takes effect on the third attempt. Like agnhost, it exits 0 when connected, else 1 with the answer on stderr.
[ "$1" = connect ] || { echo "UNKNOWN: the fake agnhost knows only connect" >&2; exit 1; }
count="$FAKE_STATE/$(printf %s "$2" | tr -c 'A-Za-z0-9' _)"
n=$(( $(cat "$count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$count"
answer=$(awk -v t="$2" -v n="$n" '$1 == t { print (n < NF) ? $(n + 1) : $NF; exit }' "$FAKE_ANSWERS")
case "$answer" in
    CONNECTED) exit 0 ;;
    "") echo "OTHER: dial tcp $2: connect: no route to host" >&2; exit 1 ;;
    *) echo "$answer" >&2; exit 1 ;;
esac
