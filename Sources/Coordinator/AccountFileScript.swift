/// The shell scripts that read and write `~account/logs/lost-mails.log` on a host, run AS the
/// account (dropped to with `setpriv`), never as root.
///
/// The script texts are constants: every variable datum (home, mode, uid, account) arrives as a
/// positional argument, so nothing from a host or a log is ever parsed as shell text. Exit codes
/// 90...98 name the refusals; ``AccountFileError/Refusal`` maps them.
///
/// Positional arguments (after `$0`, a fixed name): `$1` home (from getent), `$2` the uid the
/// script must run as (checked), `$3` the account name (for messages only), `$4` the mode
/// (write only, octal), `$5` the byte count stdin must deliver (write only; optional): a
/// shorter input (the coordinator killed mid-push, the channel closed) never replaces the file;
/// `$6` (write only; optional) `new`: write only if there is no file yet; if there is one, read
/// and discard stdin, print the file's bytes and exit 89 (``AccountFileError/Refusal/fileExists``),
/// so a first run writes each account in one command and only an existing file costs a second.
///
/// The writer's temp file is `logs/.lost-mails.<pid>`. SIGPIPE is ignored, so a coordinator
/// that goes away mid-write (its channel closes) makes the script fail and remove the temp file
/// rather than die on its next message; a temp file whose writer was killed outright is removed
/// by the account's next write (its pid no longer runs).
///
/// Every program start costs a few milliseconds and a fleet run does this for every account of
/// every host, so the scripts use shell built-ins wherever one does the job: the uid check reads
/// `/proc/self/status`, the mode comes from the umask (no `chmod` unless it has execute bits),
/// and `dd conv=fsync` writes and flushes the temp file in one program.
enum AccountFileScript {
    /// Checks shared by both scripts: right uid, absolute existing home, `logs` not a symlink.
    static let prologue = #"""
        set -eu
        trap '' PIPE
        umask 077
        home=$1 uid=$2 account=$3
        fail() { printf 'lostmail: account %s: %s\n' "$account" "$1" >&2; exit "$2"; }
        euid=
        if [ -r /proc/self/status ]; then
          while read -r key real effective rest; do
            if [ "$key" = Uid: ]; then euid=$effective; break; fi
          done < /proc/self/status
        fi
        [ -n "$euid" ] || euid=$(id -u)
        [ "$euid" = "$uid" ] || fail "not running as uid $uid" 90
        case $home in /*) ;; *) fail "home directory '$home' is not an absolute path" 91;; esac
        [ -d "$home" ] || fail "home directory $home does not exist" 92
        d=$home/logs
        f=$d/lost-mails.log
        [ ! -L "$d" ] || fail "$d is a symbolic link; refusing to follow it" 93
        """#

    /// `logs` a directory, the file not a symlink, a regular file with one link if it exists.
    static let fileChecks = #"""
        [ -d "$d" ] || fail "$d is not a directory" 94
        [ ! -L "$f" ] || fail "$f is a symbolic link; refusing to follow it" 95
        if [ -e "$f" ]; then
          [ -f "$f" ] || fail "$f is not a regular file" 96
          [ "$(stat -c %h -- "$f")" = 1 ] || fail "$f has more than one hard link; refusing it" 97
        fi
        """#

    /// Creates `logs` if missing, writes stdin into a new temp file in it (created with the
    /// final mode through the umask, flushed by `dd conv=fsync`), checks its size and owner,
    /// and renames it over the file with `mv -fT` (never into a directory named lost-mails.log).
    static let write = prologue + "\n" + #"""
        mode=$4 want=${5:-} only=${6:-}
        [ -e "$d" ] || mkdir -- "$d" || fail "cannot create $d" 94
        """# + "\n" + fileChecks + "\n" + #"""
        for s in "$d"/.lost-mails.*; do
          n=${s##*.}
          case $n in ''|*[!0-9]*) continue;; esac
          kill -0 "$n" 2>/dev/null || rm -f -- "$s"
        done
        if [ "$only" = new ] && [ -e "$f" ]; then
          dd of=/dev/null bs=1M status=none
          cat -- "$f" || fail "cannot read $f" 98
          exit 89
        fi
        t=$d/.lost-mails.$$
        if [ -e "$t" ] || [ -L "$t" ]; then rm -f -- "$t" || fail "cannot remove the stale $t" 98; fi
        trap 'rm -f -- "$t"' EXIT
        umask "$(printf '%o' $(( 0777 & ~0$mode )))"
        dd of="$t" bs=1M conv=excl,fsync status=none || fail "cannot write $t" 98
        umask 077
        info=$(stat -c '%s %u' -- "$t") || fail "cannot inspect $t" 98
        [ "${info#* }" = "$uid" ] || fail "$t is not owned by uid $uid" 90
        if [ -n "$want" ] && [ "${info% *}" != "$want" ]; then
          fail "received ${info% *} of $want bytes (the sender went away); $f left unchanged" 98
        fi
        case $mode in *[1357]*) chmod -- "$mode" "$t" || fail "cannot set mode $mode on $t" 98;; esac
        mv -fT -- "$t" "$f" || fail "cannot rename $t to $f" 98
        trap - EXIT
        sync -- "$d" || true
        """#

    /// Prints the file's bytes; prints nothing if `logs` or the file does not exist.
    static let read = prologue + "\n" + #"""
        [ -e "$d" ] || exit 0
        """# + "\n" + fileChecks + "\n" + #"""
        [ -e "$f" ] || exit 0
        exec cat -- "$f"
        """#

    /// `$0` of the scripts, shown by the shell in its own error messages.
    static let writeName = "lostmail-write-account-file"
    static let readName = "lostmail-read-account-file"
}
