// SPDX-License-Identifier: Apache-2.0
//
// yaml2json.go - the reference side of the differential test
// (tests/cli/yaml_diff.sh): reads one manifest file the way kubectl does
// and prints each document as one line of JSON, exactly as
// sigs.k8s.io/yaml.YAMLToJSON gives it. A stream whose first
// non-blank character is "{" is JSON and is read value by value (like
// k8s.io/apimachinery's YAMLOrJSONDecoder); anything else is cut into
// documents on "---" lines (like its YAMLReader), and each document goes
// through YAMLToJSON. Empty and null documents are skipped, as kubectl
// skips them. A document that cannot be read prints one line
// "ERROR <message>" and ends the stream.
//
// It is a test tool, not part of rfguard: it is built in GOPATH mode
// from Debian's golang-k8s-sigs-yaml-dev and never downloads anything.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"sigs.k8s.io/yaml"
)

const separator = "---"

// readLine is apimachinery's LineReader: one line without its "\n" or
// "\r\n" (bufio.Reader.ReadLine), then always "\n". So a last line with
// no newline gets one, and CRLF line ends become LF.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	isPrefix := true
	for isPrefix && err == nil {
		var line []byte
		line, isPrefix, err = r.ReadLine()
		buf.Write(line)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), err
}

// splitYAML cuts the stream like apimachinery's YAMLReader: a line that
// starts with "---" and holds nothing else but blanks or a comment ends
// the document before it; "---" followed by anything else is an error.
func splitYAML(data []byte) ([][]byte, error) {
	var docs [][]byte
	var buf bytes.Buffer
	r := bufio.NewReaderSize(bytes.NewReader(data), 4096)
	for {
		line, err := readLine(r)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if bytes.HasPrefix(line, []byte(separator)) {
			rest := strings.TrimSpace(string(line[len(separator):]))
			if len(rest) > 0 && rest[0] != '#' {
				return docs, fmt.Errorf("invalid Yaml document separator: %s", rest)
			}
			if buf.Len() != 0 {
				docs = append(docs, append([]byte(nil), buf.Bytes()...))
				buf.Reset()
			}
			if err == io.EOF {
				return docs, nil
			}
			continue
		}
		if err == io.EOF {
			if buf.Len() != 0 {
				docs = append(docs, append([]byte(nil), buf.Bytes()...))
			}
			return docs, nil
		}
		buf.Write(line)
	}
}

func emit(out *bufio.Writer, raw []byte) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return
	}
	var c bytes.Buffer
	if err := json.Compact(&c, raw); err != nil {
		fmt.Fprintf(out, "ERROR %v\n", err)
		return
	}
	out.Write(c.Bytes())
	out.WriteByte('\n')
}

func isJSON(data []byte) bool {
	trim := bytes.TrimLeftFunc(data, unicode.IsSpace)
	return bytes.HasPrefix(trim, []byte("{"))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yaml2json FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if isJSON(data) {
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				return
			} else if err != nil {
				fmt.Fprintf(out, "ERROR %v\n", err)
				return
			}
			emit(out, raw)
		}
	}
	docs, serr := splitYAML(data)
	for _, d := range docs {
		j, err := yaml.YAMLToJSON(d)
		if err != nil {
			fmt.Fprintf(out, "ERROR %v\n", strings.ReplaceAll(err.Error(), "\n", " "))
			return
		}
		emit(out, j)
	}
	if serr != nil {
		fmt.Fprintf(out, "ERROR %v\n", serr)
	}
}
