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
/// shorter input (the coordinator killed mid-push, the channel closed) never replaces the file.
enum AccountFileScript {
    /// Checks shared by both scripts: right uid, absolute existing home, `logs` not a symlink,
    /// the file not a symlink, a regular file with one link if it exists.
    static let prologue = #"""
        set -eu
        umask 077
        home=$1 uid=$2 account=$3
        fail() { printf 'lostmail: account %s: %s\n' "$account" "$1" >&2; exit "$2"; }
        [ "$(id -u)" = "$uid" ] || fail "not running as uid $uid" 90
        case $home in /*) ;; *) fail "home directory '$home' is not an absolute path" 91;; esac
        [ -d "$home" ] || fail "home directory $home does not exist" 92
        d=$home/logs
        f=$d/lost-mails.log
        [ ! -L "$d" ] || fail "$d is a symbolic link; refusing to follow it" 93
        """#

    static let fileChecks = #"""
        [ -d "$d" ] || fail "$d is not a directory" 94
        [ ! -L "$f" ] || fail "$f is a symbolic link; refusing to follow it" 95
        if [ -e "$f" ]; then
          [ -f "$f" ] || fail "$f is not a regular file" 96
          [ "$(stat -c %h -- "$f")" = 1 ] || fail "$f has more than one hard link; refusing it" 97
        fi
        """#

    /// Creates `logs` if missing, writes stdin into a temp file in it, fsyncs, sets the mode and
    /// renames it over the file with `mv -fT` (never into a directory named lost-mails.log).
    static let write = prologue + "\n" + #"""
        mode=$4
        [ -e "$d" ] || mkdir -- "$d" || fail "cannot create $d" 94
        """# + "\n" + fileChecks + "\n" + #"""
        t=$(mktemp -- "$d/.lost-mails.XXXXXX") || fail "cannot create a temporary file in $d" 98
        trap 'rm -f -- "$t"' EXIT
        cat > "$t" || fail "cannot write $t" 98
        if [ -n "${5:-}" ]; then
          got=$(wc -c < "$t")
          [ "$got" = "$5" ] || fail "received $got of $5 bytes (the sender went away); $f left unchanged" 98
        fi
        chmod -- "$mode" "$t" || fail "cannot set mode $mode on $t" 98
        sync -- "$t" || fail "cannot flush $t" 98
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
