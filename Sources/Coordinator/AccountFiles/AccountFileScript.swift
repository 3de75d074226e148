/// The shell scripts that read and write an account's output file (by default
/// `~account/logs/lost-mails.log`) on a host, run AS the account (dropped to with `setpriv`),
/// never as root.
///
/// The script texts are constants: every variable datum (home, uid, account, path, limit, mode)
/// arrives as a positional argument, so nothing from a host or a log is ever parsed as shell
/// text. Exit codes 87...98 name the refusals; ``AccountFileError/Refusal`` maps them.
///
/// Positional arguments (after `$0`, a fixed name): `$1` home (from getent), `$2` the uid the
/// script must run as (checked), `$3` the account name (for messages only), `$4` the file's
/// path relative to the home (validated by ``AccountFileTarget``: no `..`, `.` or empty
/// components), `$5` the largest existing file, in bytes, the script reads; then for the
/// writer `$6` the mode (octal), `$7` the byte count stdin must deliver (optional; empty for
/// none): a shorter input (the coordinator killed mid-push, the channel closed) never replaces
/// the file; `$8` (optional) `new`: write only if there is no file yet; if there is one, read
/// and discard stdin, print the file's bytes and exit 89 (``AccountFileError/Refusal/fileExists``),
/// so a first run writes each account in one command and only an existing file costs a second.
///
/// Every directory on the way from the home to the file must be a real directory (not a
/// symlink); the writer creates missing ones (mode 0700). An existing file is read through a
/// descriptor the script opened read-write (which never blocks, even on a FIFO) and checked
/// after opening: it must be a regular file with one link and at most `$5` bytes, so a FIFO,
/// device or huge file swapped in by the account is refused instead of blocking the command or
/// filling the coordinator's memory. At most `$5` + 1 bytes are ever printed.
///
/// The writer's temp file is `.lost-mails.<pid>` next to the file. SIGPIPE is ignored, so a
/// coordinator that goes away mid-write (its channel closes) makes the script fail and remove
/// the temp file rather than die on its next message; a temp file whose writer was killed
/// outright is removed by the account's next write (its pid no longer runs).
///
/// Every program start costs a few milliseconds and a fleet run does this for every account of
/// every host, so the scripts use shell built-ins wherever one does the job: the uid check reads
/// `/proc/self/status`, the mode comes from the umask (no `chmod` unless it has execute bits),
/// and `dd conv=fsync` writes and flushes the temp file in one program.
enum AccountFileScript {
    /// Checks shared by both scripts: right uid, absolute existing home; sets `d` (the file's
    /// directory), `f` (the file) and `dirs` (the directories between home and file).
    static let prologue = #"""
        set -eu
        trap '' PIPE
        umask 077
        home=$1 uid=$2 account=$3 rel=$4 limit=$5
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
        case $rel in ''|/*|*/) fail "'$rel' is not a file path relative to the home" 91;; esac
        case $rel in */*) dirs=${rel%/*};; *) dirs=;; esac
        f=$home/$rel
        d=${f%/*}
        """#

    /// Walks the directories from the home to the file: each must not be a symlink and must be
    /// a directory; `$1` = `create` makes missing ones, else a missing one ends the script (0).
    static let walk = #"""
        walk() {
          p=$home
          [ -n "$dirs" ] || return 0
          set -f
          oldifs=$IFS IFS=/
          for c in $dirs; do
            p=$p/$c
            [ ! -L "$p" ] || fail "$p is a symbolic link; refusing to follow it" 93
            if [ ! -e "$p" ]; then
              [ "$1" = create ] || exit 0
              mkdir -- "$p" || fail "cannot create $p" 94
            fi
            [ -d "$p" ] || fail "$p is not a directory" 94
          done
          IFS=$oldifs
          set +f
        }
        """#

    /// The file not a symlink; a regular file with one link if it exists (by name, no open).
    static let fileChecks = #"""
        [ ! -L "$f" ] || fail "$f is a symbolic link; refusing to follow it" 95
        if [ -e "$f" ]; then
          [ -f "$f" ] || fail "$f is not a regular file" 96
          [ "$(stat -c %h -- "$f")" = 1 ] || fail "$f has more than one hard link; refusing it" 97
        fi
        """#

    /// Opens the existing file on descriptor 3 read-write (Linux never blocks such an open,
    /// not even on a FIFO) and checks what was opened: a regular file, one link, not over the
    /// limit. Then `show` prints at most limit + 1 bytes of it.
    static let openChecked = #"""
        openfile() {
          [ -w "$f" ] || fail "$f is not writable by the account; refusing to replace it" 87
          command exec 3<>"$f" || fail "cannot open $f" 98
          [ -f /dev/fd/3 ] || fail "$f is not a regular file" 96
          info=$(stat -L -c '%h %s' /dev/fd/3) || fail "cannot inspect $f" 98
          [ "${info% *}" = 1 ] || fail "$f has more than one hard link; refusing it" 97
          [ "${info#* }" -le "$limit" ] || fail "$f has ${info#* } bytes, more than the limit of $limit bytes; refusing to read it" 88
        }
        show() { head -c "$((limit + 1))" <&3 || fail "cannot read $f" 98; }
        """#

    /// Creates missing directories, writes stdin into a new temp file next to the file (created
    /// with the final mode through the umask, flushed by `dd conv=fsync`), checks its size and
    /// owner, and renames it over the file with `mv -fT` (never into a directory of that name).
    static let write = prologue + "\n" + walk + "\n" + openChecked + "\n" + #"""
        mode=$6 want=${7:-} only=${8:-}
        walk create
        """# + "\n" + fileChecks + "\n" + #"""
        for s in "$d"/.lost-mails.*; do
          n=${s##*.}
          case $n in ''|*[!0-9]*) continue;; esac
          kill -0 "$n" 2>/dev/null || rm -f -- "$s"
        done
        if [ "$only" = new ] && [ -e "$f" ]; then
          dd of=/dev/null bs=1M status=none
          openfile
          show
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

    /// Prints the file's bytes; prints nothing if a directory on the way or the file does not exist.
    static let read = prologue + "\n" + walk + "\n" + openChecked + "\n" + #"""
        walk check
        """# + "\n" + fileChecks + "\n" + #"""
        [ -e "$f" ] || exit 0
        openfile
        show
        """#

    /// `$0` of the scripts, shown by the shell in its own error messages.
    static let writeName = "lostmail-write-account-file"
    static let readName = "lostmail-read-account-file"
}
