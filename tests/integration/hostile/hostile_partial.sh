#!/bin/sh
# tests/integration/hostile/hostile_partial.sh: batch mode when part of a reply arrived and then the reply
# timeout fired (a line that never ends, lines that end in a bare CR only): the bytes that did
# arrive belong in the transcript (escaped), as they do when the server closes mid-reply.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

script plain 'EHLO client.test' 'NOOP' 'QUIT'

start_hostile partial-silence && run_client partial-silence 20 plain --timeout 2
stop_hostile
common_checks partial-silence 10 2
check "partial-silence: the timeout says part of a reply came" says 'part of a reply arrived'
check "partial-silence: the partial line is in the transcript, escaped" \
    transcript_has 'partial-greeting \x1b[31mwithout-end'
check "partial-silence: the partial line is shown, escaped" \
    contains "$OUT" 'partial-greeting \x1b[31mwithout-end'

start_hostile bare-cr-end && run_client bare-cr-end 20 plain --timeout 2
stop_hostile
common_checks bare-cr-end 10 2
check "bare-cr-end: the timeout says part of a reply came" says 'part of a reply arrived'
check "bare-cr-end: the partial line is in the transcript" transcript_has 'bare-cr-only ready'

finish
