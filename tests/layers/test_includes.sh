#!/bin/sh
# Includes run one way: every `#include "folder/x.h"` in the product tree must
# go from a folder to itself or to a folder below it in the graph here (read
# transitively). One TAP point per product folder, then one `not ok` per
# include that runs the wrong way, naming file:line and the edge. tests/,
# sim/ and bench/ are not the product and may include anything.
#
# The layers, written once: each folder and the folders directly below it.
# The console's view-model (view/) sits below the panels that read it;
# themes sit beside view/ (colors per grid role); cli/ is on top of both
# stacks (the console command runs tui/). docs/architecture.md draws it.
LAYERS='
core:
backends: core
runtime:  backends
server:   runtime
view:     core
themes:   view core
panels:   view
tui:      panels themes
cli:      server tui
'
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || { echo "1..0 # SKIP no source tree at $top"; exit 0; }

folders=$(printf '%s\n' "$LAYERS" | sed -n 's/^\([a-z]*\):.*/\1/p')
# Every product .c/.h, as "folder/file" paths; the folders must exist.
files=$(for d in $folders; do
    [ -d "$d" ] || { echo "missing:$d"; continue; }
    find "$d" -type f \( -name '*.c' -o -name '*.h' \) | sort
done)

printf '%s\n' "$files" | awk -v layers="$LAYERS" '
    # below[a, b] = 1 when folder a may include folder b (b is a or under a).
    BEGIN {
        n = split(layers, rows, "\n")
        for (i = 1; i <= n; i++) {
            if (rows[i] !~ /:/) continue
            split(rows[i], kv, ":")
            a = kv[1]; folder[a] = 1; order[++nf] = a
            below[a, a] = 1
            m = split(kv[2], bs, /[ \t]+/)
            for (j = 1; j <= m; j++) if (bs[j] != "") below[a, bs[j]] = 1
        }
        # Transitive closure: repeat until nothing changes.
        do {
            grew = 0
            for (x = 1; x <= nf; x++) for (y = 1; y <= nf; y++) for (z = 1; z <= nf; z++) {
                a = order[x]; b = order[y]; c = order[z]
                if (below[a, b] && below[b, c] && !below[a, c]) { below[a, c] = 1; grew = 1 }
            }
        } while (grew)
    }
    /^missing:/ { sub(/^missing:/, ""); bad[++nb] = "folder " $0 "/ in the layer graph does not exist"; next }
    {
        file = $0; split(file, p, "/"); from = p[1]; seen[from]++
        line = 0
        while ((getline text < file) > 0) {
            line++
            if (text !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
            hdr = text; sub(/^[^"]*"/, "", hdr); sub(/".*/, "", hdr)
            if (hdr !~ /\//) {
                bad[++nb] = file ":" line ": \"" hdr "\" names no folder (write \"folder/" hdr "\")"
                errs[from]++
                continue
            }
            to = hdr; sub(/\/.*/, "", to)
            if (!(to in folder)) {
                bad[++nb] = file ":" line ": " from " -> " to " (" hdr "): " to "/ is not a product folder"
                errs[from]++
            } else if (!below[from, to]) {
                bad[++nb] = file ":" line ": " from " -> " to " (" hdr ") runs the wrong way"
                errs[from]++
            }
        }
        close(file)
    }
    END {
        printf "1..%d\n", nf + nb
        t = 0
        for (x = 1; x <= nf; x++) {
            a = order[x]; allowed = a "/"
            for (y = 1; y <= nf; y++)
                if (order[y] != a && below[a, order[y]]) allowed = allowed " " order[y] "/"
            status = (errs[a] ? "not ok" : "ok")
            printf "%s %d - %s/ (%d files) includes only %s\n", status, ++t, a, seen[a] + 0, allowed
        }
        for (i = 1; i <= nb; i++) printf "not ok %d - %s\n", ++t, bad[i]
        exit nb > 0
    }'
