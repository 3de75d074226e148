#!/usr/bin/env bash
# netns-chain.sh: a chain of network namespaces for bastion (jump host) tests.
#
#   root ns --link0-- lm<L><T>1 --link1-- lm<L><T>2 --link2-- ... lm<L><T><K>
#
# (L: the test lane, T: a one-letter tag, so two suites of one lane can each have a chain.)
# Link j is a veth pair lm<L><T>v<j>a (left) / lm<L><T>v<j>b (right) on <S>.<L>.<4j>/30, where
# <S> is 198.18 for tag a and 198.19 for tag b (198.18.0.0/15 is the range reserved for network
# tests): the left end has .<4j+1>, the right end .<4j+2>. Namespace <i> is reached from its
# left neighbour at <S>.<L>.<4i-2>.
# No namespace forwards (net.ipv4.ip_forward=0) and none has a default route, so hop<i> can
# only be reached from hop<i-1>; the root namespace routes all of 198.18.<L>.0/24 to hop1, so
# no packet for the chain ever leaves the machine. Runs as root.
#
# Usage:
#   netns-chain.sh up --lane L --tag a|b --hops K  prints NETNS_<i>=name and ADDR_<i>=address
#   netns-chain.sh down --lane L --tag a|b         stops the processes left in the lane's namespaces,
#                                          deletes them (and with them every veth)
set -euo pipefail

die() { echo "netns-chain.sh: $*" >&2; exit 1; }

CMD=${1:-}; [ -n "$CMD" ] || die "usage: netns-chain.sh up|down --lane L [--hops K]"
shift
LANE= HOPS= TAG=
while [ $# -gt 0 ]; do
    case "$1" in
        --lane) LANE=$2; shift 2 ;;
        --hops) HOPS=$2; shift 2 ;;
        --tag) TAG=$2; shift 2 ;;
        *) die "unknown argument: $1" ;;
    esac
done
[[ "$LANE" =~ ^[0-9]+$ ]] && [ "$LANE" -le 254 ] || die "--lane L (0-254) is required"
[ "$(id -u)" = 0 ] || die "must run as root (ip netns)"

case "$TAG" in a) NET="198.18.$LANE" ;; b) NET="198.19.$LANE" ;; *) die "--tag a|b is required" ;; esac
PREFIX="lm${LANE}${TAG}"
VETH="lm${LANE}${TAG}v"

namespaces() { ip netns list | awk '{ print $1 }' | grep -E "^${PREFIX}[0-9]+$" || true; }

cmd_down() {
    local ns pids
    for ns in $(namespaces); do
        # Only processes this lane's tests started live in these namespaces (their sshds).
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        ip netns del "$ns"
    done
    ip link del "${VETH}0a" 2>/dev/null || true
}

cmd_up() {
    [[ "$HOPS" =~ ^[0-9]+$ ]] && [ "$HOPS" -ge 1 ] && [ "$HOPS" -le 60 ] || die "--hops K (1-60) is required"
    cmd_down
    local i j left right
    for i in $(seq 1 "$HOPS"); do
        ip netns add "$PREFIX$i"
        ip -n "$PREFIX$i" link set lo up
        ip netns exec "$PREFIX$i" sysctl -q -w net.ipv4.ip_forward=0
    done
    for j in $(seq 0 $((HOPS - 1))); do
        ip link add "${VETH}${j}a" type veth peer name "${VETH}${j}b"
        ip link set "${VETH}${j}b" netns "$PREFIX$((j + 1))"
        if [ "$j" -gt 0 ]; then ip link set "${VETH}${j}a" netns "$PREFIX$j"; fi
        left="ip" right="ip -n $PREFIX$((j + 1))"
        [ "$j" -eq 0 ] || left="ip -n $PREFIX$j"
        $left addr add "$NET.$((4 * j + 1))/30" dev "${VETH}${j}a"
        $left link set "${VETH}${j}a" up
        $right addr add "$NET.$((4 * j + 2))/30" dev "${VETH}${j}b"
        $right link set "${VETH}${j}b" up
    done
    ip route add "$NET.0/24" via "$NET.2" dev "${VETH}0a"
    for i in $(seq 1 "$HOPS"); do
        echo "NETNS_$i=$PREFIX$i"
        echo "ADDR_$i=$NET.$((4 * i - 2))"
    done
}

case "$CMD" in
    up) cmd_up ;;
    down) cmd_down ;;
    *) die "unknown command: $CMD" ;;
esac
