/* SPDX-License-Identifier: Apache-2.0
 *
 * re2_check.cc - re2_check(): whether Go's regexp.Compile takes a
 * pattern, asked of libre2. Go's regexp is RE2 syntax with Perl's
 * extensions (Perl classes, \b, non-greedy repeats, (?flags), \Q..\E),
 * which is libre2's default, non-POSIX syntax. What libre2 takes and Go
 * does not, this file refuses itself: \C (any byte), and capturing
 * groups nested 1000 deep.
 *
 * It is the project's only C++: nothing is thrown across the C boundary
 * and no state is kept. It is not a matcher and not a cache.
 *
 * What it does not model (tests/re2/patterns.txt keeps such patterns
 * out): Go's other ceilings for absurd expressions (non-capturing
 * nesting over 1000 deep, millions of instructions once repeats are
 * expanded), and the Unicode version behind \p{Script} names, which
 * differs between Go releases and libre2 releases.
 */
#include <re2/re2.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "re2_check.h"

namespace {

/* RE2's memory budget for the compiled program. Syntax is settled
 * before compiling, so a valid pattern that does not fit (\pL{1000})
 * only costs this much and is still valid: Go has no such budget. */
constexpr int64_t max_prog_mem = 1 << 20;

/* Copy `msg` into the caller's buffer, truncated. */
void put_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        std::snprintf(err, errlen, "%s", msg);
}

/* The end of the character class opening at `p` ('['): past its ']',
 * or the end of the string. Follows RE2's reading: a ']' right after
 * "[" or "[^" is a literal, "[:name:]" nests, '\' escapes one char. */
const char *skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p && *p != ']') {
        if (p[0] == '[' && p[1] == ':') {
            const char *e = std::strstr(p + 2, ":]");

            if (e) {
                p = e + 2;
                continue;
            }
        }
        p += (p[0] == '\\' && p[1]) ? 2 : 1;
    }
    return *p ? p + 1 : p;
}

/* Go nests an expression at most this deep (syntax.maxHeight); each
 * capturing group is one level, so this many of them nested are too
 * many, whatever they hold. */
constexpr size_t go_max_height = 1000;

/* What Go refuses in `re`, which RE2 accepted: \C outside a \Q..\E
 * quote, or capturing groups nested go_max_height deep; NULL if
 * neither. A class can hold no \C or group (RE2 refuses a \C there),
 * so classes are skipped whole, lest a '\' inside one be misread.
 * Non-capturing groups are not counted: Go's depth for them depends on
 * what they hold, which only a full parse knows. */
const char *go_only_problem(const char *re)
{
    std::vector<bool> groups;   /* open groups: capturing or not */
    size_t captures = 0;
    const char *p = re;

    while (*p) {
        if (p[0] == '\\' && p[1] == 'Q') {
            const char *e = std::strstr(p + 2, "\\E");

            if (!e)
                break;
            p = e + 2;
        } else if (p[0] == '\\' && p[1] == 'C') {
            return "invalid escape sequence: \\C";
        } else if (p[0] == '\\' && p[1]) {
            p += 2;
        } else if (p[0] == '[') {
            p = skip_class(p);
        } else if (p[0] == '(') {
            bool cap = p[1] != '?' || p[2] == 'P';

            groups.push_back(cap);
            if (cap && ++captures >= go_max_height)
                return "expression nests too deeply";
            p++;
        } else if (p[0] == ')') {
            if (!groups.empty()) {
                captures -= groups.back() ? 1 : 0;
                groups.pop_back();
            }
            p++;
        } else {
            p++;
        }
    }
    return nullptr;
}

/* re2_check without the exception guard. */
int check(const char *pattern, char *err, size_t errlen)
{
    RE2::Options opt;

    opt.set_encoding(RE2::Options::EncodingUTF8);
    opt.set_posix_syntax(false);        /* Perl extensions, as Go */
    opt.set_log_errors(false);
    opt.set_max_mem(max_prog_mem);

    RE2 re(pattern, opt);

    if (!re.ok() && re.error_code() != RE2::ErrorPatternTooLarge) {
        put_err(err, errlen, re.error().c_str());
        return RFG_EINVAL;
    }
    if (const char *why = go_only_problem(pattern)) {
        put_err(err, errlen, why);
        return RFG_EINVAL;
    }
    return RFG_OK;
}

}  // namespace

extern "C" int re2_check(const char *pattern, char *err, size_t errlen)
{
    put_err(err, errlen, "");
    try {
        return check(pattern, err, errlen);
    } catch (...) {
        return RFG_ENOMEM;      /* all libre2 or std::string may throw */
    }
}
