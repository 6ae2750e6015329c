package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/render"
)

// runMainEnv makes the test binary run Main (see TestMain).
const runMainEnv = "MDIFF_TEST_RUN_MAIN"

// TestTerminalWidth runs mdiff in a real terminal, a tmux pane of 40, 60 and
// 100 columns: the CLI reads the width and wraps to it, so no row reaches the
// pane's edge (tmux would break it wherever it fell, inside a token) and the
// screen is exactly what the printer writes for that width. The answer, with
// a long header and long terms, is the issue's: `lambda` and `y ∈ ℝ^{p}`
// must stay whole.
func TestTerminalWidth(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	testtool.Need(t, "tmux", err == nil)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	expr := "-y'*log(sigmoid(X*w)) - (1 - y)'*log(1 - sigmoid(X*w)) + lambda*||w||^2 + tr(S*w*w')"
	opts := mdiff.Options{Wrt: []string{"w"}, Let: []string{"X: n x p; y: n; w: p; lambda: scalar; S: sym p"}, Hessian: true, Seed: 1}
	args := []string{"diff", expr, "--wrt", "w", "--let", opts.Let[0], "--hessian"}
	res, err := mdiff.Derive(expr, opts)
	if err != nil {
		t.Fatal(err)
	}
	var flat bytes.Buffer
	if err := render.Write(&flat, res, render.FormatText, render.TextOptions{Theme: render.Plain()}); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{40, 60, 100} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var want bytes.Buffer
			if err := render.Write(&want, res, render.FormatText, render.TextOptions{Theme: render.Plain(), Width: width}); err != nil {
				t.Fatal(err)
			}
			screen, joined := runInPane(t, tmux, width, self, args)
			if screen != strings.TrimSuffix(want.String(), "\n") {
				t.Errorf("the %d-column pane shows\n%s\nwant\n%s", width, screen, want.String())
			}
			if screen != joined {
				t.Errorf("tmux wrapped a row that mdiff did not:\n%s", screen)
			}
			for _, p := range testtool.WrapProblems(flat.String(), screen, width) {
				t.Errorf("%d columns: %s", width, p)
			}
		})
	}
}

// runInPane runs the command in a detached tmux pane of the given width on a
// private server and returns the screen, row by row, and the screen with the
// rows tmux itself wrapped joined (capture-pane -J).
func runInPane(t *testing.T, tmux string, width int, self string, args []string) (screen, joined string) {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	const end = "MDIFF-TEST-END"
	quoted := []string{"env", runMainEnv + "=1", "NO_COLOR=1", shellQuote(self)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	script := filepath.Join(dir, "run.sh")
	body := strings.Join(quoted, " ") + "; echo " + end + "; sleep 60\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	tm := func(a ...string) (string, error) {
		out, err := exec.Command(tmux, append([]string{"-S", sock, "-f", "/dev/null"}, a...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := tm("new-session", "-d", "-x", fmt.Sprint(width), "-y", "200", "sh "+shellQuote(script)); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	defer tm("kill-server")
	capture := func(join bool) string {
		a := []string{"capture-pane", "-p"}
		if join {
			a = append(a, "-J")
		}
		out, err := tm(a...)
		if err != nil {
			t.Fatalf("tmux capture-pane: %v\n%s", err, out)
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(capture(false), end) {
		if time.Now().After(deadline) {
			t.Fatalf("mdiff did not finish in the pane:\n%s", capture(false))
		}
		time.Sleep(50 * time.Millisecond)
	}
	trim := func(s string) string {
		s, _, _ = strings.Cut(s, end)
		var rows []string
		for _, r := range strings.Split(s, "\n") {
			rows = append(rows, strings.TrimRight(r, " "))
		}
		return strings.TrimRight(strings.Join(rows, "\n"), "\n")
	}
	return trim(capture(false)), trim(capture(true))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
