// SPDX-License-Identifier: MIT
#include "event.h"

#include <string.h>

void event_init(struct event *ev, enum event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->dirfd = ev->dirfd2 = ev->fd = ev->fd2 = -1;
}
