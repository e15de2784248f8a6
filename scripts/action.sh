#!/usr/bin/env bash
# The shell steps of action.yml, one subcommand each, reading the action's
# inputs from TMS_* variables (action.yml sets them), so that they run and are
# tested outside GitHub too (tests/it/distribution.rs):
#
#   install   put tms on PATH: the release binary for this runner, checked
#             against its SHA-256 (TMS_INSTALL=binary), or `cargo install`
#             (TMS_INSTALL=cargo)
#   check     `tms check` on the model (the verdict waits for `verdict`),
#             and the SARIF log when TMS_SARIF is set
#   diff      on a pull request: `tms diff` against the base branch's model,
#             to the job summary and a file
#   comment   posts the diff on the pull request, replacing its own older one
#   verdict   fails the job when check or diff failed
#
# GitHub's files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY)
# are written when set.
set -euo pipefail

out() { [ -z "${GITHUB_OUTPUT:-}" ] || echo "$1=$2" >>"$GITHUB_OUTPUT"; }
summary() { [ -z "${GITHUB_STEP_SUMMARY:-}" ] || cat >>"$GITHUB_STEP_SUMMARY"; }
note() { echo "tms-action: $*" >&2; }
die() {
    echo "::error::tms-action: $*"
    exit 2
}

# TMS_ARGS: extra options for check, export and diff (`--rules my-rules.yaml`),
# split on whitespace.
read -r -a extra <<<"${TMS_ARGS:-}"
model="${TMS_MODEL:-}"

install() {
    local repo="${TMS_REPO:-}" version="${TMS_VERSION:-}" root dir
    [ -n "$repo" ] || die "no repository to install tms from: set the input \`repository\` (owner/name)"
    root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tms"
    dir="$root/bin"
    mkdir -p "$dir"
    case "${TMS_INSTALL:-binary}" in
        binary)
            [ -n "$version" ] || version=latest
            sh "$(dirname "$0")/install.sh" --repo "$repo" --version "$version" --to "$dir" ||
                die "could not install the tms release binary ($version); set \`install: cargo\` to build it instead"
            ;;
        cargo)
            local at=()
            case "$version" in
                "" | latest) ;;
                v[0-9]*) at=(--tag "$version") ;;
                *) at=(--rev "$version") ;;
            esac
            cargo install --locked --git "https://github.com/$repo" ${at[@]+"${at[@]}"} --root "$root" tms ||
                die "cargo install of tms failed"
            ;;
        *) die "install must be \`binary\` or \`cargo\`, not \`$TMS_INSTALL\`" ;;
    esac
    [ -z "${GITHUB_PATH:-}" ] || echo "$dir" >>"$GITHUB_PATH"
    "$dir/tms" --version >&2 || die "the installed tms does not run"
}

need_model() {
    [ -n "$model" ] || die "no model: set the input \`model\`"
    [ -f "$model" ] || die "the model \`$model\` does not exist in the checkout"
}

check() {
    need_model
    local code=0
    tms check "$model" --fail-on "${TMS_FAIL_ON:-high}" ${extra[@]+"${extra[@]}"} || code=$?
    out check-exit-code "$code"
    if [ -n "${TMS_SARIF:-}" ]; then
        tms export "$model" --format sarif -o "$TMS_SARIF" ${extra[@]+"${extra[@]}"} ||
            die "could not write the SARIF log"
        out sarif-file "$TMS_SARIF"
    fi
    # An invalid model stops here: there is nothing to upload or compare.
    [ "$code" -ne 2 ] || exit 2
}

diff() {
    need_model
    local base_ref="${GITHUB_BASE_REF:-}" base_model="${TMS_BASE_MODEL:-$model}"
    if [ "${GITHUB_EVENT_NAME:-}" != pull_request ] && [ "${GITHUB_EVENT_NAME:-}" != pull_request_target ]; then
        note "not a pull request: no diff"
        return 0
    fi
    [ -n "$base_ref" ] || die "a pull request without GITHUB_BASE_REF"
    # Only the base branch's tip is needed; a shallow checkout has none of it.
    git fetch --no-tags --quiet --depth=1 origin "$base_ref" ||
        die "cannot fetch the base branch $base_ref"
    local report="${TMS_DIFF_FILE:-tms-diff.md}" code=0
    if ! git cat-file -e "FETCH_HEAD:$base_model" 2>/dev/null; then
        # shellcheck disable=SC2016 # the backquotes are Markdown
        printf '`%s` is new in this pull request: no base version to compare with.\n' "$model" |
            tee "$report" | summary
        out diff-file "$report"
        out diff-exit-code 0
        return 0
    fi
    # The base version under a short path beside the checkout: the diff names both files.
    local base=".tms-base/$base_model"
    mkdir -p "$(dirname "$base")"
    git show "FETCH_HEAD:$base_model" >"$base"
    local fail=()
    [ -z "${TMS_FAIL_ON_NEW:-}" ] || fail=(--fail-on-new "$TMS_FAIL_ON_NEW")
    tms diff "$base" "$model" ${fail[@]+"${fail[@]}"} ${extra[@]+"${extra[@]}"} -o "$report" || code=$?
    rm -rf .tms-base
    [ "$code" -ne 2 ] || die "tms diff could not compare the models"
    summary <"$report"
    out diff-file "$report"
    out diff-exit-code "$code"
}

comment() {
    local report="${TMS_DIFF_FILE:-tms-diff.md}" pr="${TMS_PR_NUMBER:-}"
    [ -n "$pr" ] || { note "not a pull request: no comment"; return 0; }
    [ -f "$report" ] || { note "no diff to post"; return 0; }
    local repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY}"
    # A marker per model, so each run replaces its own comment.
    local marker="<!-- tms-diff: $model -->" body="${report}.comment"
    { echo "$marker"; cat "$report"; } >"$body"
    local id
    id="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
        --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | tail -n 1)" ||
        die "cannot list the pull request's comments (the job needs pull-requests: write)"
    if [ -n "$id" ]; then
        gh api --silent -X PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" ||
            die "cannot update the comment (the job needs pull-requests: write)"
    else
        gh api --silent "repos/$repo/issues/$pr/comments" -F "body=@$body" ||
            die "cannot comment on the pull request (the job needs pull-requests: write)"
    fi
    rm -f "$body"
}

verdict() {
    local check="${TMS_CHECK_EXIT:-0}" diff="${TMS_DIFF_EXIT:-0}"
    if [ "$check" != 0 ]; then
        echo "::error file=$model::open findings at or above ${TMS_FAIL_ON:-high} remain (tms check)"
    fi
    if [ "$diff" != 0 ]; then
        echo "::error file=$model::this change brings a new open finding at or above ${TMS_FAIL_ON_NEW:-} (tms diff)"
    fi
    [ "$check" = 0 ] && [ "$diff" = 0 ]
}

case "${1:-}" in
    install | check | diff | comment | verdict) "$1" ;;
    *) die "usage: action.sh install|check|diff|comment|verdict" ;;
esac
