/* SPDX-License-Identifier: Apache-2.0
 *
 * test_template.c - the template detector (template.h): tokens in plain
 * text count, tokens in comments never, tokens in quoted and block
 * scalars only when the text does not read as YAML (loose).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "template.h"

/* tmpl_find over a C string; "" when nothing was found, else
 * "line:col tok". */
static const char *find(const char *s, bool loose)
{
    static char out[64];
    struct src_pos pos;
    char tok[3];

    if (!tmpl_find(s, strlen(s), loose, &pos, tok))
        return "";
    snprintf(out, sizeof(out), "%u:%u %s", pos.line, pos.col, tok);
    return out;
}

static void test_plain_tokens(void)
{
    CHECK_STR_EQ(find("a: {{ .x }}\n", false), "1:4 {{");
    CHECK_STR_EQ(find("a: 1\n{{- if .y }}\nb: 2\n", false), "2:1 {{");
    CHECK_STR_EQ(find("name: redis-{{ .Release.Name }}\n", false),
                 "1:13 {{");
    CHECK_STR_EQ(find("x:\n{% if a %}\n", false), "2:1 {%");
    CHECK_STR_EQ(find("name: <%= @n %>\n", false), "1:7 <%");
    /* a token just before the end of the text, no final newline */
    CHECK_STR_EQ(find("a: b{{", false), "1:5 {{");
}

static void test_data_is_not_a_template(void)
{
    CHECK_STR_EQ(find("a: b\n", false), "");
    CHECK_STR_EQ(find("a: \"{{ x }}\"\n", false), "");
    CHECK_STR_EQ(find("a: '{% x %}'\n", false), "");
    CHECK_STR_EQ(find("a: 'it''s {{ x }}'\n", false), "");
    CHECK_STR_EQ(find("a: \"q\\\" {{ x }}\"\n", false), "");
    CHECK_STR_EQ(find("a: [\"{{ x }}\", '<% y %>']\n", false), "");
    CHECK_STR_EQ(find("# {{ x }}\na: 1 # {% y %}\n", false), "");
    CHECK_STR_EQ(find("a: |\n  {{ x }}\n\n  <% y %>\nb: 1\n", false), "");
    CHECK_STR_EQ(find("a: >-\n    {{ x }}\n", false), "");
    CHECK_STR_EQ(find("- |2\n  {{ x }}\n", false), "");
    /* a quoted scalar may span lines */
    CHECK_STR_EQ(find("a: \"one\n  {{ x }}\"\n", false), "");
    /* a single object of JSON with template text in a string */
    CHECK_STR_EQ(find("{\"a\":\"{{x}}\"}", false), "");
    /* '#' inside a word and a quote inside a word are plain text */
    CHECK_STR_EQ(find("a: b#{{ x }}\n", false), "1:6 {{");
    CHECK_STR_EQ(find("a: don't {{ x }}\n", false), "1:10 {{");
}

static void test_block_ends_by_indent(void)
{
    /* the block ends at a line indented no deeper than its key */
    CHECK_STR_EQ(find("data:\n  conf: |\n    a\n{{ .Values.c | indent 4 }}\n",
                      false), "4:1 {{");
    CHECK_STR_EQ(find("data:\n  conf: |\n    a\n  b: {{ x }}\n", false),
                 "4:6 {{");
}

static void test_loose(void)
{
    CHECK_STR_EQ(find("a: \"{{ x }}\"\n", true), "1:5 {{");
    CHECK_STR_EQ(find("a: |\n  <% y %>\n", true), "2:3 <%");
    /* comments never count */
    CHECK_STR_EQ(find("# {{ x }}\na: [\n", true), "");
}

int main(void)
{
    RUN(test_plain_tokens);
    RUN(test_data_is_not_a_template);
    RUN(test_block_ends_by_indent);
    RUN(test_loose);
    return CHECK_DONE();
}
