package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mdiff/mdiff/parser"
)

// source is one expression to answer, with the place it came from
// ("FILE:N", or "" for the command-line argument).
type source struct {
	text, where string
}

// inputOptions are the flags that say where expressions and declarations come from.
type inputOptions struct {
	File    string   // -f FILE: one expression a line
	LetFile []string // --let-file FILE: declarations, one or more a line
}

// sources returns the expressions of the command line: the argument
// itself, or with "-" (or -f FILE) every non-blank line of standard input
// (of FILE) that does not start with '#'. many tells the two apart.
func sources(args []string, in inputOptions, stdin io.Reader) (srcs []source, many bool, err error) {
	name := ""
	var r io.Reader
	switch {
	case in.File != "" && len(args) > 0:
		return nil, false, &usageError{fmt.Errorf("-f %s reads the expressions from the file: give no expression argument (got %q)", in.File, args[0])}
	case in.File == "-", len(args) == 1 && args[0] == "-":
		name, r = "stdin", stdin
	case in.File != "":
		f, err := os.Open(in.File)
		if err != nil {
			return nil, false, &usageError{err}
		}
		defer f.Close()
		name, r = in.File, f
	case len(args) != 1:
		return nil, false, &usageError{fmt.Errorf("one expression (quote it), - for standard input, or -f FILE; got %d arguments", len(args))}
	default:
		return []source{{text: args[0]}}, false, nil
	}
	err = eachLine(r, name, func(n int, line string) error {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			srcs = append(srcs, source{text: line, where: fmt.Sprintf("%s:%d", name, n)})
		}
		return nil
	})
	if err != nil {
		return nil, true, &usageError{err}
	}
	if len(srcs) == 0 {
		return nil, true, &usageError{fmt.Errorf("%s holds no expression (blank lines and # comments are skipped)", name)}
	}
	return srcs, true, nil
}

// eachLine calls f with every line of r, numbered from 1.
func eachLine(r io.Reader, name string, f func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if err := f(n, strings.TrimSuffix(sc.Text(), "\r")); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// lets returns the declarations of the --let flags followed by those of
// every --let-file: one or more a line, '#' starting a comment. A bad
// declaration in a file is reported as FILE:N with its caret.
func lets(let []string, files []string) ([]string, error) {
	out := append([]string(nil), let...)
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, &usageError{err}
		}
		err = eachLine(f, name, func(n int, line string) error {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			if strings.TrimSpace(line) == "" {
				return nil
			}
			if _, err := parser.ParseDecls(line); err != nil {
				return &placedError{where: fmt.Sprintf("%s:%d", name, n), err: err}
			}
			out = append(out, line)
			return nil
		})
		f.Close()
		if err != nil {
			var pe *placedError
			if !errors.As(err, &pe) {
				err = &usageError{err}
			}
			return nil, err
		}
	}
	return out, nil
}

// placedError is an error about one line of a file: "FILE:N: message".
type placedError struct {
	where string
	err   error
}

func (e *placedError) Error() string { return e.where + ": " + describe(e.err) }
func (e *placedError) Unwrap() error { return e.err }
