// SPDX-License-Identifier: MIT
#include "path.h"

#include <errno.h>
#include <string.h>

/* Append the components of S to the normalized absolute path in OUT. */
static int append(char *out, size_t *len, size_t size, const char *s)
{
	while (*s) {
		const char *end;
		size_t n;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		end = strchrnul(s, '/');
		n = (size_t)(end - s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (*len > 1 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 1)
				(*len)--;
		} else {
			size_t need = (*len > 1 ? 1 : 0) + n;

			if (*len + need + 1 > size)
				return -ENAMETOOLONG;
			if (*len > 1)
				out[(*len)++] = '/';
			memcpy(out + *len, s, n);
			*len += n;
		}
		s = end;
	}
	out[*len] = '\0';
	return 0;
}

int path_resolve(const char *base, const char *raw, char *ret, size_t size)
{
	size_t len = 1;

	if (size < 2)
		return -ENAMETOOLONG;
	ret[0] = '/';
	ret[1] = '\0';
	if (raw[0] != '/' && base && append(ret, &len, size, base) < 0)
		goto out_too_long;
	if (append(ret, &len, size, raw) < 0)
		goto out_too_long;
	return (int)len;

out_too_long:
	ret[0] = '\0';
	return -ENAMETOOLONG;
}

int path_dirname(const char *path, char *ret, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0) {
		if (size < 2)
			return -ENAMETOOLONG;
		memcpy(ret, "/", 2);
		return 1;
	}
	if (n + 1 > size)
		return -ENAMETOOLONG;
	memcpy(ret, path, n);
	ret[n] = '\0';
	return (int)n;
}
