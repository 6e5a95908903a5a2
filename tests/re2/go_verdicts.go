// SPDX-License-Identifier: Apache-2.0
//
// go_verdicts.go - proves tests/re2/patterns.txt: every pattern there
// compiles with Go's regexp.Compile exactly when its line says "valid".
// Standard library only, built in GOPATH mode (GO111MODULE=off) by
// tests/cli/re2_go.sh. It checks the table, not rfguard: the C side is
// tests/unit/test_re2.c, which reads the same file.
//
// Usage: go run go_verdicts.go patterns.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_verdicts PATTERNS")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line, n, bad := 0, 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		verdict, pattern, ok := strings.Cut(text, "\t")
		if !ok || (verdict != "valid" && verdict != "invalid") {
			fmt.Printf("%s:%d: want \"valid|invalid<TAB>pattern\"\n", os.Args[1], line)
			bad++
			continue
		}
		n++
		_, cerr := regexp.Compile(pattern)
		if (cerr == nil) != (verdict == "valid") {
			fmt.Printf("%s:%d: %q is marked %s, but Go says: %v\n",
				os.Args[1], line, pattern, verdict, cerr)
			bad++
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if bad > 0 || n == 0 {
		fmt.Printf("FAIL: %d of %d verdicts disagree with Go %s\n", bad, n, runtime.Version())
		os.Exit(1)
	}
	fmt.Printf("ok: Go agrees with all %d verdicts\n", n)
}
