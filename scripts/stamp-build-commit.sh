#!/bin/sh
# Records the git commit this tree is at in Sources/TyndauCore/Resources/build-commit.txt (not
# committed), so `tyndau --version`, /health and /ready can say what they were built from without
# running git at run time. A tree with uncommitted changes is marked "-dirty"; outside a git checkout
# the file is removed and the binary reports "unknown". Rewrites the file only when it changes, so an
# unchanged commit triggers no rebuild.
set -eu
cd "$(dirname "$0")/.."
file=Sources/TyndauCore/Resources/build-commit.txt
if commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
    if ! git diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
    if [ "$(cat "$file" 2>/dev/null)" != "$commit" ]; then echo "$commit" > "$file"; fi
else
    rm -f "$file"
fi
