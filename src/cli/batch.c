/* batch.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int batch_run(struct frontend *frontend, FILE *script) { (void)frontend; (void)script; return 2; }
