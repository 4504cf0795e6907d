/*
 * json: a tiny writer for one-line JSON objects (sipmedctl's --json answers,
 * call detail records), strings escaped per RFC 8259.
 */
#ifndef SIPMED_JSON_H
#define SIPMED_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *f;
	bool first;
};

void json_begin(struct json *, FILE *);
/* A NULL value is written as null. */
void json_str(struct json *, const char *key, const char *value);
void json_uint(struct json *, const char *key, unsigned long value);
void json_int(struct json *, const char *key, long value);
void json_bool(struct json *, const char *key, bool value);
/* Starts an array of objects under key; json_obj_* write its members. */
void json_array_begin(struct json *, const char *key);
void json_array_end(struct json *);
void json_obj_begin(struct json *);
void json_obj_end(struct json *);
void json_end(struct json *);

#endif
