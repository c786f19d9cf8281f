#!/usr/bin/env bash
# Upload files as a task's data with CVAT's upload protocol, driven by curl: the ceiling
# the SDK uploads are compared with.
#
#   CVAT_AUTH=user:password bench/curl_upload.sh [--multipart] BASE_URL TASK_ID FILE...
#
# Steps: Upload-Start; a TUS create per file (one curl run, one connection); one PATCH per
# file with the whole file (one curl run); Upload-Finish with the data parameters. A file
# over CVAT's request body limit (nginx's client_max_body_size, 1 GiB; CURL_PATCH_LIMIT
# bytes) goes in PATCHes of at most that size, each streamed from a piece of the file cut
# before the clock starts.
#
# The PATCH body is streamed from the file (--upload-file with -X PATCH), not given with
# --data-binary @file: that reads the whole file into memory first, refuses files over
# 1 GiB ("out of memory" in curl 7.88) and was slower on every size we tried, so it would
# not be a ceiling.
#
# --multipart sends the files the way both SDKs send small files instead of TUS:
# Upload-Multiple multipart batches of at most 10 MiB (one curl run, one connection).
#
# Prints "elapsed SECONDS" (first request to the Upload-Finish answer; file sizes and
# metadata are computed before the clock starts) and exits non-zero if any answer is not
# the expected one.
set -euo pipefail

multipart=0
if [[ ${1:-} == --multipart ]]; then
    multipart=1
    shift
fi
if [[ $# -lt 3 || -z "${CVAT_AUTH:-}" ]]; then
    echo "usage: CVAT_AUTH=user:password $0 [--multipart] BASE_URL TASK_ID FILE..." >&2
    exit 2
fi
base=${1%/}
task=$2
shift 2
url="$base/api/tasks/$task/data/"
common=(-sS -u "$CVAT_AUTH" -H "Expect:")
batch_limit=$((10 * 1024 * 1024))
patch_limit=${CURL_PATCH_LIMIT:-$((1024 * 1024 * 1024))}
pieces_dir=$(mktemp -d)
trap 'rm -rf -- "$pieces_dir"' EXIT

check() { # check EXPECTED_CODE CODE...
    local expected=$1 code
    shift
    for code in "$@"; do
        if [[ $code != "$expected" ]]; then
            echo "unexpected HTTP status $code (expected $expected)" >&2
            exit 1
        fi
    done
}

# Prepared before timing: the transfers of every file.
create_args=()
batch_args=()
patch_files=()
patch_sizes=()
batch_size=0
batch_index=0
for file in "$@"; do
    size=$(stat -c %s -- "$file")
    if ((multipart)); then
        if ((batch_index > 0 && batch_size + size > batch_limit)); then
            batch_args+=(-o /dev/null -w '%{http_code}\n' "$url" --next)
            batch_size=0
            batch_index=0
        fi
        if ((batch_index == 0)); then
            batch_args+=("${common[@]}" -H "Upload-Multiple;" -F "image_quality=70")
        fi
        batch_args+=(-F "client_files[$batch_index]=@$file")
        batch_size=$((batch_size + size))
        batch_index=$((batch_index + 1))
    else
        name=$(printf '%s' "${file##*/}" | base64 -w0)
        create_args+=("${common[@]}" -X POST -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $size"
            -H "Upload-Metadata: filename $name" -o /dev/null
            -w '%{http_code} %header{location}\n' "$url" --next)
        patch_files+=("$file")
        patch_sizes+=("$size")
    fi
done
if ((multipart)); then
    batch_args+=(-o /dev/null -w '%{http_code}\n' "$url")
else
    unset 'create_args[${#create_args[@]}-1]' # the trailing --next
fi

# Prepared before timing: files over the body limit cut into pieces (the rest sent whole).
pieces=()
piece_offsets=()
piece_start=()
piece_count=()
for i in "${!patch_files[@]}"; do
    piece_start+=("${#pieces[@]}")
    if ((patch_sizes[i] > patch_limit)); then
        split -b "$patch_limit" -d -a 4 -- "${patch_files[$i]}" "$pieces_dir/$i."
        mapfile -t cut < <(ls -- "$pieces_dir/$i".*)
        pieces+=("${cut[@]}")
        for ((k = 0; k < ${#cut[@]}; k++)); do
            piece_offsets+=($((k * patch_limit)))
        done
    else
        pieces+=("${patch_files[$i]}")
        piece_offsets+=(0)
    fi
    piece_count+=($((${#pieces[@]} - piece_start[i])))
done

start=$EPOCHREALTIME

code=$(curl "${common[@]}" -X POST -H "Upload-Start;" -o /dev/null -w '%{http_code}' "$url")
check 202 "$code"

if ((multipart)); then
    mapfile -t codes < <(curl "${batch_args[@]}")
    check 200 "${codes[@]}"
else
    codes=()
    locations=()
    while read -r code location; do
        codes+=("$code")
        locations+=("$location")
    done < <(curl "${create_args[@]}")
    check 201 "${codes[@]}"
    if [[ ${#locations[@]} -ne ${#patch_files[@]} ]]; then
        echo "expected ${#patch_files[@]} uploads, the server created ${#locations[@]}" >&2
        exit 1
    fi

    patch_args=()
    for i in "${!patch_files[@]}"; do
        for ((j = piece_start[i]; j < piece_start[i] + piece_count[i]; j++)); do
            patch_args+=("${common[@]}" -X PATCH -H "Tus-Resumable: 1.0.0"
                -H "Content-Type: application/offset+octet-stream"
                -H "Upload-Offset: ${piece_offsets[$j]}"
                --upload-file "${pieces[$j]}" -o /dev/null -w '%{http_code}\n'
                "${locations[$i]}" --next)
        done
    done
    unset 'patch_args[${#patch_args[@]}-1]'
    mapfile -t codes < <(curl "${patch_args[@]}")
    check 204 "${codes[@]}"
fi

code=$(curl "${common[@]}" -X POST -H "Upload-Finish;" -H "Content-Type: application/json" \
    --data '{"image_quality": 70}' -o /dev/null -w '%{http_code}' "$url")
check 202 "$code"

end=$EPOCHREALTIME
echo "elapsed $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')"
