/*
 * jsonread.h: one JSON Lines record of ours read back (--baseline, --append,
 * --resume): the values of a few named members of a flat object. Pure: no
 * I/O. Strings are decoded (escapes, \uXXXX with surrogate pairs, to UTF-8),
 * numbers and true/false are their text, null is "", arrays are skipped.
 */
#ifndef SMTPPROBE_JSONREAD_H
#define SMTPPROBE_JSONREAD_H

#include <stddef.h>

/*
 * Parses the object in s[0..len) and sets vals[i] to the value of member
 * names[i] (NULL when absent), pointing into buf. Returns 0, or -1 with err
 * (not one JSON object, an object or array nested deeper than our rows'
 * arrays, or buf too small).
 */
int json_object_fields(const char *s, size_t len, const char *const names[], size_t n,
                       const char *vals[], char *buf, size_t bufsize, char *err, size_t errlen);

#endif
