#!/usr/bin/env bash
# fleet.sh: a fleet of real OpenSSH hosts on one Linux machine, for LostMail's tests and benches.
#
# Every host is a real sshd (OpenSSH) listening on <net>.<i>:2222 (any 127.x.y.z is loopback),
# running in its own mount + UTS namespace with its own /home, /root, /var/log/qmail and
# /var/qmail bind-mounted from DIR/h<i>/ (and /etc/sudoers.d from DIR/h<i>/sudoers.d when a
# test made that folder: sudo rules for that host alone). Accounts are real unix users (shared /etc/passwd)
# whose homes live under each host's /home. Runs as root. Idempotent: running `up` twice
# leaves one sshd per host and keeps host and client keys. Nothing outside DIR is removed
# (accounts created with useradd stay; the empty mount points /var/qmail, /var/log/qmail
# and /run/sshd are created when missing).
#
# Usage:
#   fleet.sh up --dir DIR --hosts N --net 127.0.X [--corpus PATH | --no-corpus] [--accounts a,b]
#              [--place I=NETNS@ADDR]...   (host I runs in network namespace NETNS, which the
#               caller made, e.g. with netns-chain.sh, and listens on ADDR there)
#   fleet.sh load --dir DIR --host I --corpus PATH   (a corpus, or a snapshot dir: PATH[/host]/var/...)
#   fleet.sh down --dir DIR
#   fleet.sh stop-host|start-host|pause-host|resume-host --dir DIR --host I
#   fleet.sh drop-connections --dir DIR --host I   (kill per-connection sshd processes: a cut)
#   fleet.sh status --dir DIR
#
# DIR/fleet.env lists the hosts (FLEET_HOST_<i>=address), the client key and known_hosts.
# The client key is DIR/client/id_ed25519; DIR/client/known_hosts has `[addr]:2222` entries.
set -euo pipefail

PORT=2222
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEFAULT_CORPUS="$SCRIPT_DIR/../../shared/corpus/qmail-incident"
[ -d "$DEFAULT_CORPUS" ] || DEFAULT_CORPUS=/work/shared/corpus/qmail-incident
FLEET_GROUP=lostmail-fleet
LOCK=/run/lostmail-fleet.lock

die() { echo "fleet.sh: $*" >&2; exit 1; }
log() { echo "fleet.sh: $*" >&2; }

CMD=${1:-}; [ -n "$CMD" ] || die "usage: fleet.sh up|load|down|stop-host|start-host|pause-host|resume-host|status --dir DIR ..."
shift
DIR= HOSTS= NET= CORPUS= NO_CORPUS=0 ACCOUNTS= HOST= PLACES=
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR=$2; shift 2 ;;
        --hosts) HOSTS=$2; shift 2 ;;
        --net) NET=$2; shift 2 ;;
        --corpus) CORPUS=$2; shift 2 ;;
        --no-corpus) NO_CORPUS=1; shift ;;
        --accounts) ACCOUNTS=$2; shift 2 ;;
        --host) HOST=$2; shift 2 ;;
        --place) PLACES="$PLACES $2"; shift 2 ;;
        *) die "unknown argument: $1" ;;
    esac
done
[ -n "$DIR" ] || die "--dir DIR is required"
[ "$(id -u)" = 0 ] || die "must run as root (namespaces, bind mounts, useradd)"
case "$DIR" in /*) ;; *) DIR="$(pwd)/$DIR" ;; esac

# Reads DIR/fleet.env (written by `up`) for the commands that act on a running fleet.
load_env() {
    [ -f "$DIR/fleet.env" ] || die "$DIR/fleet.env not found: run 'fleet.sh up' first"
    # shellcheck disable=SC1091
    . "$DIR/fleet.env"
    NET=$FLEET_NET HOSTS=$FLEET_HOSTS
}

host_dir() { echo "$DIR/h$1"; }
# A host placed in a network namespace (`up --place`) has its address and namespace in its dir.
host_addr() {
    if [ -f "$DIR/h$1/address" ]; then cat "$DIR/h$1/address"; else echo "$NET.$1"; fi
}
host_netns() { cat "$DIR/h$1/netns" 2>/dev/null || true; }

# The mount namespace (inode) of a running host, or the recorded one when its sshd is gone.
host_ns() {
    local h pid
    h=$(host_dir "$1")
    pid=$(cat "$h/sshd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
        stat -L -c %i "/proc/$pid/ns/mnt" 2>/dev/null || true
    else
        cat "$h/mntns" 2>/dev/null || true
    fi
}

# Every pid whose mount namespace is the host's (never our own namespace).
host_pids() {
    local ns
    ns=$(host_ns "$1")
    [ -n "$ns" ] && [ "$ns" != "$(stat -L -c %i /proc/self/ns/mnt)" ] || return 0
    stat -L -c '%i %n' /proc/[0-9]*/ns/mnt 2>/dev/null |
        awk -v ns="$ns" '$1 == ns { split($2, p, "/"); print p[3] }'
    return 0
}

host_running() {
    local pid
    pid=$(cat "$(host_dir "$1")/sshd.pid" 2>/dev/null || true)
    [ -n "$pid" ] && [ -d "/proc/$pid" ] &&
        [ "$(stat -L -c %i "/proc/$pid/ns/mnt" 2>/dev/null)" != "$(stat -L -c %i /proc/self/ns/mnt)" ] &&
        grep -q sshd "/proc/$pid/comm" 2>/dev/null &&
        ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

# Whether host I's sshd accepts connections (tried from inside its network namespace).
port_open() {
    local ns; ns=$(host_netns "$1")
    if [ -n "$ns" ]; then
        ip netns exec "$ns" /bin/bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$(host_addr "$1")" "$PORT" 2>/dev/null
    else
        (exec 3<>"/dev/tcp/$(host_addr "$1")/$PORT") 2>/dev/null
    fi
}

# Records `--place I=NETNS@ADDR` in each host's dir (and forgets an older placement).
place_hosts() {
    local i spec ns addr
    for i in $(seq 1 "$HOSTS"); do rm -f "$(host_dir "$i")/netns" "$(host_dir "$i")/address"; done
    for spec in $PLACES; do
        [[ "$spec" =~ ^([0-9]+)=([A-Za-z0-9_.-]+)@([0-9.]+)$ ]] || die "bad --place $spec (I=NETNS@ADDR)"
        i=${BASH_REMATCH[1]} ns=${BASH_REMATCH[2]} addr=${BASH_REMATCH[3]}
        [ "$i" -ge 1 ] && [ "$i" -le "$HOSTS" ] || die "--place $spec: no host $i"
        [ -e "/run/netns/$ns" ] || die "--place $spec: network namespace $ns does not exist"
        mkdir -p "$(host_dir "$i")"
        echo "$ns" > "$(host_dir "$i")/netns"
        echo "$addr" > "$(host_dir "$i")/address"
    done
}

# Creates (or checks) the unix account NAME with UID and group GID; "" = any free uid.
ensure_account() {
    local name=$1 uid=$2 gid=$3 cur gname
    if cur=$(getent passwd "$name"); then
        [ -z "$uid" ] || [ "$(echo "$cur" | cut -d: -f3)" = "$uid" ] ||
            die "account $name exists with uid $(echo "$cur" | cut -d: -f3), the corpus needs $uid"
        return 0
    fi
    if [ -n "$uid" ] && cur=$(getent passwd "$uid"); then
        die "uid $uid (needed for $name) is taken by $(echo "$cur" | cut -d: -f1)"
    fi
    getent group "$FLEET_GROUP" >/dev/null || groupadd "$FLEET_GROUP"
    gname=$FLEET_GROUP
    if [ -n "$gid" ]; then
        if getent group "$gid" >/dev/null; then gname=$(getent group "$gid" | cut -d: -f1)
        elif ! getent group "$name" >/dev/null; then groupadd -g "$gid" "$name"; gname=$name
        fi
    fi
    useradd -M -d "/home/$name" -s /bin/sh -g "$gname" ${uid:+-u "$uid"} "$name" ||
        getent passwd "$name" >/dev/null || die "useradd $name failed"
}

# The corpus's host tree: PATH/host when present, else PATH itself.
corpus_root() {
    if [ -d "$1/host" ]; then echo "$1/host"; else echo "$1"; fi
}

# Accounts of a corpus: passwd lines whose home is under /home (name:uid:gid).
corpus_accounts() {
    local root; root=$(corpus_root "$1")
    [ -f "$root/etc/passwd" ] || return 0
    awk -F: '$6 ~ "^/home/" { print $1 ":" $3 ":" $4 }' "$root/etc/passwd"
}

# Home of one account on host I, owned by the account.
make_home() {
    local h=$1 name=$2 home
    home="$h/home/$name"
    mkdir -p "$home"
    chown "$(id -u "$name"):$(id -g "$name")" "$home"
    chmod 0755 "$home"
}

load_corpus() {
    local i=$1 src=$2 h root name f
    h=$(host_dir "$i"); root=$(corpus_root "$src")
    [ -d "$root" ] || die "corpus $src not found"
    mkdir -p "$h/qmail-log" "$h/var-qmail"
    if [ -d "$root/var/log/qmail" ]; then
        cp -R --preserve=timestamps "$root/var/log/qmail/." "$h/qmail-log/"
    fi
    if [ ! -d "$root/var/log/qmail/send" ] && [ -f "$src/send.tar.gz" ]; then
        tar -xzf "$src/send.tar.gz" -C "$h/qmail-log"
    fi
    for f in control users alias; do
        if [ -d "$root/var/qmail/$f" ]; then
            mkdir -p "$h/var-qmail/$f"
            cp -R --preserve=timestamps "$root/var/qmail/$f/." "$h/var-qmail/$f/"
        fi
    done
    chmod -R u+w "$h/qmail-log" "$h/var-qmail"
    if [ -d "$root/home" ]; then
        for f in "$root"/home/*/; do
            name=$(basename "$f")
            getent passwd "$name" >/dev/null || { log "h$i: skipping home of unknown account $name"; continue; }
            make_home "$h" "$name"
            cp -R --preserve=timestamps "$f." "$h/home/$name/"
            chown -R "$(id -u "$name"):$(id -g "$name")" "$h/home/$name"
            chmod -R u+w "$h/home/$name"
        done
    fi
}

# Host layout, keys and config (kept across runs).
prepare_host() {
    local i=$1 h addr
    h=$(host_dir "$i"); addr=$(host_addr "$i")
    mkdir -p "$h/etc" "$h/home" "$h/qmail-log" "$h/var-qmail/control" "$h/var-qmail/users" \
        "$h/var-qmail/alias" "$h/root/.ssh"
    chmod 0700 "$h/root" "$h/root/.ssh"; chmod 0755 "$h/home"
    [ -f "$h/etc/ssh_host_ed25519_key" ] ||
        ssh-keygen -q -t ed25519 -N '' -C "h$i" -f "$h/etc/ssh_host_ed25519_key"
    # A second host key (ecdsa, not in known_hosts): clients must prefer the recorded type.
    [ -f "$h/etc/ssh_host_ecdsa_key" ] ||
        ssh-keygen -q -t ecdsa -N '' -C "h$i" -f "$h/etc/ssh_host_ecdsa_key"
    cp "$DIR/client/id_ed25519.pub" "$h/root/.ssh/authorized_keys"
    chmod 0600 "$h/root/.ssh/authorized_keys"
    cat > "$h/sshd_config" <<EOF
ListenAddress $addr:$PORT
HostKey $h/etc/ssh_host_ed25519_key
HostKey $h/etc/ssh_host_ecdsa_key
PidFile $h/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
MaxStartups 50:30:200
MaxSessions 50
Subsystem sftp internal-sftp
EOF
    /usr/sbin/sshd -t -f "$h/sshd_config" || die "h$i: sshd -t rejected $h/sshd_config"
}

start_host() {
    local i=$1 h addr n
    h=$(host_dir "$i"); addr=$(host_addr "$i")
    if host_running "$i"; then return 0; fi
    mkdir -p -m0755 /run/sshd /var/log/qmail /var/qmail
    rm -f "$h/sshd.pid" "$h/mntns"
    local netns=()
    [ -z "$(host_netns "$i")" ] || netns=(ip netns exec "$(host_netns "$i")")
    setsid "${netns[@]}" unshare --mount --uts --propagation private -- /bin/sh -c \
        'hostname "$1" && mount --bind "$2/home" /home && mount --bind "$2/root" /root &&
         mount --bind "$2/qmail-log" /var/log/qmail && mount --bind "$2/var-qmail" /var/qmail &&
         { [ ! -d "$2/sudoers.d" ] || mount --bind "$2/sudoers.d" /etc/sudoers.d; } &&
         exec /usr/sbin/sshd -D -f "$2/sshd_config" -E "$2/sshd.log"' \
        sh "h$i" "$h" </dev/null >>"$h/start.log" 2>&1 &
    # setsid, unshare and sh exec in turn: $! is the sshd. Up to 20 s (a loaded machine); one that
    # does not answer by then is stopped, so no listener is left behind without a pid file.
    local started=$!
    n=0
    until [ -s "$h/sshd.pid" ] && port_open "$i"; do
        n=$((n + 1))
        if [ $n -ge 800 ]; then
            kill -TERM "$started" 2>/dev/null || true
            rm -f "$h/sshd.pid"
            die "h$i: sshd did not answer on $addr:$PORT within 20 s (see $h/sshd.log, $h/start.log)"
        fi
        sleep 0.025
    done
    stat -L -c %i "/proc/$(cat "$h/sshd.pid")/ns/mnt" > "$h/mntns"
}

stop_host() {
    local i=$1 pids n
    pids=$(host_pids "$i")
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        # shellcheck disable=SC2086
        kill -CONT $pids 2>/dev/null || true
        n=0
        while [ -n "$(host_pids "$i")" ] && [ $n -lt 40 ]; do sleep 0.05; n=$((n + 1)); done
        pids=$(host_pids "$i")
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    fi
    [ -n "$(host_pids "$i")" ] || rm -f "$(host_dir "$i")/mntns"
    rm -f "$(host_dir "$i")/sshd.pid"
}

# Kills every per-connection process of a host (the listener keeps running): a network cut.
drop_connections() {
    local listener pids p
    listener=$(cat "$(host_dir "$1")/sshd.pid" 2>/dev/null || true)
    pids=""
    for p in $(host_pids "$1"); do [ "$p" = "$listener" ] || pids="$pids $p"; done
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

signal_host() {
    local pids; pids=$(host_pids "$1")
    [ -n "$pids" ] || die "h$1 is not running"
    # shellcheck disable=SC2086
    kill "-$2" $pids
}

write_env() {
    local i env="$DIR/fleet.env" addrs=""
    for i in $(seq 1 "$HOSTS"); do addrs="$addrs $(host_addr "$i")"; done
    {
        echo "FLEET_DIR=$DIR"
        echo "FLEET_NET=$NET"
        echo "FLEET_HOSTS=$HOSTS"
        echo "FLEET_PORT=$PORT"
        echo "FLEET_KEY=$DIR/client/id_ed25519"
        echo "FLEET_KNOWN_HOSTS=$DIR/client/known_hosts"
        echo "FLEET_ACCOUNTS=\"$ACCOUNT_NAMES\""
        echo "FLEET_ADDRESSES=\"${addrs# }\""
        for i in $(seq 1 "$HOSTS"); do echo "FLEET_HOST_$i=$(host_addr "$i")"; done
    } > "$env.tmp"
    mv -f "$env.tmp" "$env"
}

cmd_up() {
    [ -n "$HOSTS" ] && [ "$HOSTS" -ge 1 ] 2>/dev/null && [ "$HOSTS" -le 254 ] ||
        die "--hosts N (1 <= N <= 254: the hosts are <net>.1 to <net>.N) is required"
    [[ "$NET" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--net must be 127.X.Y (loopback only)"
    if [ "$NO_CORPUS" = 1 ]; then CORPUS=
    elif [ -z "$CORPUS" ]; then
        if [ -d "$DEFAULT_CORPUS" ]; then CORPUS=$DEFAULT_CORPUS; else log "no corpus at $DEFAULT_CORPUS"; fi
    fi
    [ -z "$CORPUS" ] || [ -d "$CORPUS" ] || die "corpus $CORPUS not found"
    mkdir -p -m0755 /run/sshd /var/log/qmail /var/qmail
    mkdir -p "$DIR/client"
    [ -f "$DIR/client/id_ed25519" ] ||
        ssh-keygen -q -t ed25519 -N '' -C lostmail-fleet -f "$DIR/client/id_ed25519"

    # Accounts: the corpus's (with its uids), then --accounts (corpus uid when listed there).
    local spec name uid gid i line
    declare -A want=()
    ACCOUNT_NAMES=""
    if [ -n "$CORPUS" ]; then
        while IFS=: read -r name uid gid; do want[$name]="$uid:$gid"; ACCOUNT_NAMES="$ACCOUNT_NAMES $name"; done \
            < <(corpus_accounts "$CORPUS")
    fi
    for name in ${ACCOUNTS//,/ }; do
        [[ "$name" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "bad account name: $name"
        [ -n "${want[$name]+x}" ] || { want[$name]=":"; ACCOUNT_NAMES="$ACCOUNT_NAMES $name"; }
    done
    ACCOUNT_NAMES=${ACCOUNT_NAMES# }
    exec 9>"$LOCK"; flock 9
    for name in $ACCOUNT_NAMES; do
        spec=${want[$name]}
        ensure_account "$name" "${spec%%:*}" "${spec#*:}"
    done
    flock -u 9

    place_hosts
    : > "$DIR/client/known_hosts.tmp"
    for i in $(seq 1 "$HOSTS"); do
        prepare_host "$i"
        for name in $ACCOUNT_NAMES; do make_home "$(host_dir "$i")" "$name"; done
        [ -z "$CORPUS" ] || load_corpus "$i" "$CORPUS"
        line=$(cut -d' ' -f1,2 "$(host_dir "$i")/etc/ssh_host_ed25519_key.pub")
        echo "[$(host_addr "$i")]:$PORT $line" >> "$DIR/client/known_hosts.tmp"
    done
    mv -f "$DIR/client/known_hosts.tmp" "$DIR/client/known_hosts"
    write_env
    for i in $(seq 1 "$HOSTS"); do start_host "$i"; done
    log "up: $HOSTS host(s) on $NET.1-$HOSTS:$PORT, env in $DIR/fleet.env"
}

cmd_status() {
    local i pid state
    load_env
    for i in $(seq 1 "$HOSTS"); do
        if host_running "$i"; then
            pid=$(cat "$(host_dir "$i")/sshd.pid")
            state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status")
            if [ "$state" = T ]; then state=paused; else state=running; fi
            echo "h$i $(host_addr "$i"):$PORT $state pid $pid ($(host_pids "$i" | wc -l) processes)"
        else
            echo "h$i $(host_addr "$i"):$PORT stopped"
        fi
    done
}

need_host() {
    [[ "$HOST" =~ ^[0-9]+$ ]] && [ "$HOST" -ge 1 ] && [ "$HOST" -le "$HOSTS" ] ||
        die "--host I (1..$HOSTS) is required"
}

case "$CMD" in
    up) cmd_up ;;
    down)
        if [ -f "$DIR/fleet.env" ]; then
            load_env
            for i in $(seq 1 "$HOSTS"); do stop_host "$i"; done
            log "down: $HOSTS host(s) stopped"
        else
            log "down: nothing to stop in $DIR"
        fi ;;
    load)
        load_env; need_host
        [ -n "$CORPUS" ] || die "--corpus PATH is required"
        exec 9>"$LOCK"; flock 9
        while IFS=: read -r name uid gid; do ensure_account "$name" "$uid" "$gid"; done \
            < <(corpus_accounts "$CORPUS")
        flock -u 9
        load_corpus "$HOST" "$CORPUS" ;;
    stop-host) load_env; need_host; stop_host "$HOST" ;;
    start-host) load_env; need_host; start_host "$HOST" ;;
    pause-host) load_env; need_host; signal_host "$HOST" STOP ;;
    resume-host) load_env; need_host; signal_host "$HOST" CONT ;;
    drop-connections) load_env; need_host; drop_connections "$HOST" ;;
    status) cmd_status ;;
    *) die "unknown command: $CMD" ;;
esac
