# tsh_materialize_code CAS_DIR MANIFEST DEST
#
# Recreates the experiment's code directory in DEST (pod-local, e.g. under /tmp)
# from the content-addressed store on the share: every line of MANIFEST is
# "<sha256> <mode> <size> <path>", and the file's bytes are CAS_DIR/<hh>/<sha256>
# (hh = the hash's first two characters). Blobs are written under their final
# name only when complete, so a present blob is a whole one; the size check
# catches a share that lies. Returns non-zero, with a message on stderr, at the
# first missing or wrong blob.
tsh_materialize_code() {
    tsh_cas=$1
    tsh_manifest=$2
    tsh_dest=$3
    if [ ! -r "$tsh_manifest" ]; then
        echo "tsh_materialize_code: cannot read manifest $tsh_manifest" >&2
        return 1
    fi
    mkdir -p "$tsh_dest" || return 1
    while IFS=' ' read -r tsh_sha tsh_mode tsh_size tsh_path; do
        case $tsh_sha in
            '#'* | '') continue ;;
        esac
        tsh_file=$tsh_dest/$tsh_path
        case $tsh_path in
            */*) mkdir -p "${tsh_file%/*}" || return 1 ;;
        esac
        tsh_blob=$tsh_cas/${tsh_sha%"${tsh_sha#??}"}/$tsh_sha
        if ! cp "$tsh_blob" "$tsh_file"; then
            echo "tsh_materialize_code: missing blob $tsh_blob for $tsh_path" >&2
            return 1
        fi
        tsh_got=$(wc -c <"$tsh_file")
        if [ "$tsh_got" -ne "$tsh_size" ]; then
            echo "tsh_materialize_code: $tsh_path has $tsh_got bytes, expected $tsh_size" >&2
            return 1
        fi
        chmod "$tsh_mode" "$tsh_file" || return 1
    done <"$tsh_manifest"
}
