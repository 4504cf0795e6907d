/*
 * json: see json.h. Writes directly to the FILE; no document is built.
 */
#include "json.h"

static void
json_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (key != NULL) {
		json_escaped(j->f, key);
		fputc(':', j->f);
	}
}

void
json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->first = true;
	fputc('{', f);
}

void
json_str(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	if (value == NULL)
		fputs("null", j->f);
	else
		json_escaped(j->f, value);
}

void
json_uint(struct json *j, const char *key, unsigned long value)
{
	json_key(j, key);
	fprintf(j->f, "%lu", value);
}

void
json_int(struct json *j, const char *key, long value)
{
	json_key(j, key);
	fprintf(j->f, "%ld", value);
}

void
json_bool(struct json *j, const char *key, bool value)
{
	json_key(j, key);
	fputs(value ? "true" : "false", j->f);
}

void
json_array_begin(struct json *j, const char *key)
{
	json_key(j, key);
	fputc('[', j->f);
	j->first = true;
}

void
json_array_end(struct json *j)
{
	fputc(']', j->f);
	j->first = false;
}

void
json_obj_begin(struct json *j)
{
	json_key(j, NULL);
	fputc('{', j->f);
	j->first = true;
}

void
json_obj_end(struct json *j)
{
	fputc('}', j->f);
	j->first = false;
}

void
json_end(struct json *j)
{
	fputs("}\n", j->f);
}
