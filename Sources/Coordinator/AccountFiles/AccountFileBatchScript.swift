extension AccountFileScript {
    /// Writes many accounts' files in one command: run as root, it runs ``write`` once per
    /// account, each dropped to that account with `setpriv` exactly as a single write is, so a
    /// host's accounts cost one command instead of one each.
    ///
    /// Positional arguments (after `$0`): `$1` the ``write`` script, `$2` the file's path
    /// relative to each home, `$3` the largest existing file read, `$4` the mode (octal), `$5`
    /// the decoder stdin goes through (`zstd`, `gzip` or `none`), `$6` the largest existing file
    /// printed back (a larger one is reported as `-`: read it with a command of its own, so a
    /// batch's output stays small), `$7` the seconds each account's write may take: coreutils'
    /// `timeout` stops a write that hangs (exit 124, or 137 when it had to be killed), so one
    /// account's hang costs that account alone. Stdin holds one record per
    /// account: a line `ACCOUNT UID GID SIZE ONLY` (ONLY is `new` for a create-only write, `-`
    /// to replace), a line with the home directory as it is, then exactly SIZE bytes of content.
    /// The coordinator validated every field (``AccountFileCommand``); here they are only
    /// ever quoted arguments, never shell text.
    ///
    /// Each record's content is copied into a private temporary directory (`mktemp -d`, mode
    /// 0700, removed on exit) first, so an account whose write refuses early cannot leave
    /// its bytes in the stream for the next record. Eight accounts are written at a time (a
    /// write mostly waits for its fsyncs and program starts); their results are printed in
    /// record order once all eight are done. For each account the script prints
    /// `lostmail-account ACCOUNT STATUS OUT ERR`, then the write's OUT bytes of stdout (the
    /// existing file when a create-only write found one; OUT is `-` when that was over `$6`
    /// bytes and left out) and ERR bytes of stderr. A stream that
    /// ends inside a record stops the script (exit 99): the accounts without a result line
    /// were not handled.
    static let batch = #"""
        set -u
        trap '' PIPE
        umask 077
        write=$1 rel=$2 limit=$3 mode=$4 decoder=$5 show=$6 seconds=$7
        tmp=$(mktemp -d "${TMPDIR:-/tmp}/lostmail-accounts.XXXXXXXX") || {
          printf 'lostmail: cannot make a temporary directory\n' >&2; exit 99; }
        trap 'rm -rf -- "$tmp"' EXIT
        one() {
          status=0
          timeout -k 2 "$seconds" /usr/bin/setpriv --reuid="$3" --regid="$4" --clear-groups --reset-env \
            --no-new-privs -- /bin/sh -c "$write" lostmail-write-account-file "$5" "$3" "$2" "$rel" "$limit" \
            "$mode" "$6" "$7" < "$tmp/in.$1" > "$tmp/out.$1" 2> "$tmp/err.$1" || status=$?
          printf '%s %s\n' "$status" "$2" > "$tmp/status.$1"
        }
        report() {
          wait
          for i; do
            read -r status account < "$tmp/status.$i" || { status=99 account=; }
            out=0 err=0
            if [ -s "$tmp/out.$i" ]; then out=$(stat -c %s -- "$tmp/out.$i"); fi
            if [ -s "$tmp/err.$i" ]; then err=$(stat -c %s -- "$tmp/err.$i"); fi
            if [ "$out" -gt "$show" ]; then out=-; : > "$tmp/out.$i"; fi
            printf 'lostmail-account %s %s %s %s\n' "$account" "$status" "$out" "$err"
            if [ "$out" != 0 ] || [ "$err" != 0 ]; then cat -- "$tmp/out.$i" "$tmp/err.$i"; fi
          done
          # One rm for the round's files: a program start per account is most of what a write costs.
          n=$#
          for i; do set -- "$@" "$tmp/in.$i" "$tmp/out.$i" "$tmp/err.$i" "$tmp/status.$i"; done
          shift "$n"
          [ $# = 0 ] || rm -f -- "$@"
        }
        records() {
          i=0 running=
          while IFS=' ' read -r account uid gid size only; do
            if ! IFS= read -r home; then
              report $running
              printf 'lostmail: the records end inside %s\n' "$account" >&2; exit 99
            fi
            i=$((i + 1))
            head -c "$size" > "$tmp/in.$i" || { report $running; exit 99; }
            one "$i" "$account" "$uid" "$gid" "$home" "$size" "$only" &
            running="$running $i"
            if [ $((i % 8)) = 0 ]; then report $running; running=; fi
          done
          report $running
        }
        case $decoder in
          zstd) zstd -d -q -c | records ;;
          gzip) gzip -d -c | records ;;
          *) records ;;
        esac
        """#

    /// `$0` of ``batch``.
    static let batchName = "lostmail-write-account-files"
}
