// This file drives the page in a real browser (Debian's chromium, headless,
// through chromedp): the static site from a plain file server and mdiff
// serve's handler. Each seed example is typed into the page and the answer
// read back from data-ascii is compared with the CLI's --format ascii; the
// error display, a permalink, every tab, the keyboard, a phone's width and
// the origin of every request are checked too.

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/tools/txtar"

	"github.com/mdiff/mdiff/internal/cli"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/web"
)

var screenshot = flag.Bool("screenshot", false, "rewrite ../docs/screenshot.png from the static site")

// seed is one seed example of testdata/golden: the CLI's arguments.
type seed struct {
	name                 string
	expr, let, wrt       string
	steps, hess, jacobin bool
}

func seeds(t *testing.T) []seed {
	files, err := filepath.Glob("../testdata/golden/seed*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed examples in ../testdata/golden: %v", err)
	}
	var out []seed
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var args []string
		for _, s := range a.Files {
			if s.Name == "args" {
				args = strings.Split(strings.TrimRight(string(s.Data), "\n"), "\n")
			}
		}
		s := seed{name: strings.TrimSuffix(filepath.Base(f), ".txtar"), expr: args[0]}
		var lets, wrts []string
		for i := 1; i < len(args); i++ {
			switch args[i] {
			case "--let":
				i++
				lets = append(lets, args[i])
			case "--wrt":
				i++
				wrts = append(wrts, args[i])
			case "--steps":
				s.steps = true
			case "--hessian":
				s.hess = true
			case "--jacobian":
				s.jacobin = true
			default:
				t.Fatalf("%s: unexpected argument %q", f, args[i])
			}
		}
		s.let, s.wrt = strings.Join(lets, "\n"), strings.Join(wrts, ",")
		out = append(out, s)
	}
	return out
}

// cliArgs are the mdiff diff arguments of s in format f.
func (s seed) cliArgs(f string) []string {
	args := []string{"diff", s.expr, "--wrt", s.wrt, "--format", f}
	for _, l := range strings.Split(s.let, "\n") {
		if l != "" {
			args = append(args, "--let", l)
		}
	}
	for flag, on := range map[string]bool{"--steps": s.steps, "--hessian": s.hess, "--jacobian": s.jacobin} {
		if on {
			args = append(args, flag)
		}
	}
	return args
}

// runCLI runs mdiff in-process and returns its standard output and error.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := cli.Main(args, &out, &errb)
	return out.String(), errb.String(), code
}

var (
	staticOnce sync.Once
	staticDir  string
	staticErr  error
	staticSize web.StaticSizes
)

// staticSite builds the static site once per test binary.
func staticSite(t *testing.T) string {
	staticOnce.Do(func() {
		staticDir, staticErr = os.MkdirTemp("", "mdiff-static-")
		if staticErr == nil {
			staticSize, staticErr = web.WriteStatic(staticDir, "")
		}
	})
	if staticErr != nil {
		t.Fatal(staticErr)
	}
	return staticDir
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if staticDir != "" {
		os.RemoveAll(staticDir)
	}
	os.Exit(code)
}

// site serves h and is also the browser's proxy for every request, loopback
// included, so that it sees each request the page makes — the Web
// Worker's too, which the tab's DevTools network events do not show — and
// records those for another origin (answered 502) apart.
type site struct {
	*httptest.Server
	mu      sync.Mutex
	paths   []string // requests to the site
	foreign []string // requests of the page or its worker to any other origin
	// background are the other requests to another origin: CONNECT tunnels
	// and requests without Referer or Origin, i.e. the browser's own.
	background []string
}

func newSite(h http.Handler) *site {
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		own := r.Method != http.MethodConnect && r.Host == s.Listener.Addr().String()
		if own {
			s.paths = append(s.paths, r.URL.Path)
		} else {
			req := r.Method + " " + r.Host + r.URL.RequestURI()
			if r.Method == http.MethodConnect || r.Header.Get("Referer")+r.Header.Get("Origin")+r.Header.Get("Sec-Fetch-Site") == "" {
				// The browser's own traffic (component updates, accounts):
				// a request of the page or its worker to another origin
				// carries a Referer (the page's origin is http) or an
				// Origin. A tunnel cannot be told apart; the tab's own
				// requests, tunnels included, are checked with DevTools.
				s.background = append(s.background, req)
			} else {
				s.foreign = append(s.foreign, req)
			}
		}
		s.mu.Unlock()
		if !own {
			http.Error(w, "not this origin", http.StatusBadGateway)
			return
		}
		h.ServeHTTP(w, r)
	}))
	return s
}

func (s *site) requests() (paths, foreign []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.paths), slices.Clone(s.foreign)
}

// browser starts a headless chromium whose every request goes through the
// site, and returns a tab's context and the URLs the tab requested
// (DevTools network events: the page's, not its worker's).
func browser(t *testing.T, s *site) (context.Context, func() []string) {
	path := testtool.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless,
		chromedp.WindowSize(1000, 900), chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.ProxyServer(s.URL), chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		// The browser's own background traffic, which would go through the
		// proxy too, is switched off, so that what is left is the page's.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,AutofillServerCommunication,OptimizationHints,MediaRouter,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,DialMediaRouteProvider"),
		chromedp.Flag("no-pings", true), chromedp.Flag("no-service-autorun", true),
		chromedp.Flag("allow-browser-signin", false), chromedp.Flag("disable-domain-reliability", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	var mu sync.Mutex
	var urls []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(urls)
	}
}

// checkOrigin fails t for every request of the page or its worker that
// left the site's origin.
func checkOrigin(t *testing.T, s *site, pageURLs []string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.foreign) > 0 {
		t.Errorf("requests left the origin %s: %q", s.URL, s.foreign)
	}
	for _, u := range pageURLs {
		if !strings.HasPrefix(u, s.URL+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the page requested %s, not of the origin %s", u, s.URL)
		}
	}
	if len(s.background) > 0 {
		t.Logf("the browser's own requests (not the page's): %q", s.background)
	}
}

// pageLine is one answer line as the page shows it.
type pageLine struct {
	Kind  string  `json:"kind"`
	ASCII *string `json:"ascii"`
	KaTeX bool    `json:"katex"`
}

const readLines = `[...document.querySelectorAll('#lines .line')].map(e => ({kind: e.dataset.kind, ascii: e.dataset.ascii ?? null, katex: !!e.querySelector('.katex')}))`

// waitAnswer waits until the page has answered (data-state ready or error).
// A page that is still loading (its JavaScript context not yet there) is
// waited for too.
func waitAnswer(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		state, err := chromedp.Run(ctx, chromedp.Poll[string](`document.readyState === 'complete' && document.documentElement.dataset.state !== 'busy' && document.documentElement.dataset.state`, chromedp.WithPollingInterval(5*time.Millisecond)))
		if err == nil || !strings.Contains(err.Error(), "context") || ctx.Err() != nil {
			return state, err
		}
		time.Sleep(10 * time.Millisecond) // the page's context was replaced: a navigation
	}
}

// ask types s into the page: the declarations and variables are set, the
// expression typed key by key, the switches set.
func ask(ctx context.Context, s seed) error {
	js, _ := json.Marshal(map[string]any{"let": s.let, "wrt": s.wrt, "steps": s.steps, "hessian": s.hess, "jacobian": s.jacobin})
	return chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(q => {
			for (const k of ['let', 'wrt']) { const e = document.getElementById(k); e.value = q[k]; e.dispatchEvent(new Event('input')); }
			for (const k of ['steps', 'hessian', 'jacobian']) document.getElementById(k).checked = q[k];
			document.getElementById('expr').value = '';
		})(`+string(js)+`)`),
		chromedp.Focus(chromedp.ID("expr")),
		chromedp.SendKeys(chromedp.ID("expr"), s.expr),
	)
}

// cliLines splits the CLI's ascii output into the expressions of its lines
// (what follows "label = ", without the note; a map without its "Delta ->")
// and the check line.
func cliLines(out string) (exprs []string, check string) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	check = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, "  ") { // a step
			continue
		}
		_, rest, _ := strings.Cut(l, " = ")
		rest = strings.TrimPrefix(rest, "Delta -> ")
		exprs = append(exprs, strings.TrimPrefix(rest, "Δ -> "))
	}
	return exprs, check
}

// sameLines compares the page's lines with the CLI's ascii output: each
// data-ascii but a temporary's must be the CLI's expression, followed by
// nothing but a note; each temporary "Tk = …" must be one the CLI's lines
// define in their where clauses.
func sameLines(t *testing.T, got []pageLine, cliOut string) {
	t.Helper()
	want, _ := cliLines(cliOut)
	var temps []pageLine
	got = slices.DeleteFunc(slices.Clone(got), func(l pageLine) bool {
		if l.Kind == "temp" {
			temps = append(temps, l)
		}
		return l.Kind == "temp"
	})
	if len(got) != len(want) {
		t.Errorf("page has %d lines, mdiff diff --format ascii %d:\n%s\npage: %+v", len(got), len(want), cliOut, got)
		return
	}
	for i, l := range got {
		if l.ASCII == nil {
			t.Errorf("line %d (%s) has no data-ascii", i+1, l.Kind)
			continue
		}
		rest, ok := strings.CutPrefix(want[i], *l.ASCII)
		if !ok || strings.TrimSpace(rest) != "" && !strings.HasPrefix(rest, "   ") && !strings.HasPrefix(rest, "  in ") {
			t.Errorf("line %d (%s): data-ascii %q, mdiff diff --format ascii: %q", i+1, l.Kind, *l.ASCII, want[i])
		}
		if !l.KaTeX {
			t.Errorf("line %d (%s) is not rendered by KaTeX", i+1, l.Kind)
		}
	}
	for k, l := range temps {
		if l.ASCII == nil || !strings.HasPrefix(*l.ASCII, fmt.Sprintf("T%d = ", k+1)) || !strings.Contains(cliOut, *l.ASCII) {
			t.Errorf("temporary %d: data-ascii %v, not one of the where clauses of\n%s", k+1, l.ASCII, cliOut)
		}
	}
}

func TestBrowserStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly module")
	}
	dir := staticSite(t)
	t.Logf("mdiff.wasm %d bytes, mdiff.wasm.gz %d bytes", staticSize.Wasm, staticSize.WasmGzip)
	if staticSize.Wasm >= 8e6 { // 8 MB, decimal: the stricter reading
		t.Errorf("mdiff.wasm is %d bytes, over 8 MB", staticSize.Wasm)
	}
	srv := newSite(http.FileServer(http.Dir(dir))) // a plain static server
	defer srv.Close()
	ctx, urls := browser(t, srv)
	testPage(t, ctx, srv.URL, true)
	paths, _ := srv.requests()
	if !slices.Contains(paths, "/mdiff.wasm.gz") {
		t.Errorf("the worker's request for mdiff.wasm.gz was not seen: %q", paths)
	}
	checkOrigin(t, srv, urls())
}

// TestBrowserStaticPython opens a permalink of the static site served by
// python3 -m http.server, the server the README names, which neither
// compresses nor sets Content-Encoding for mdiff.wasm.gz.
func TestBrowserStaticPython(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly module")
	}
	py := testtool.Python(t)
	dir := staticSite(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(py, "-m", "http.server", "-b", "127.0.0.1", "-d", dir, port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	target, _ := url.Parse("http://127.0.0.1:" + port)
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		if r, err := http.Get(target.String() + "/index.html"); err == nil {
			r.Body.Close()
			break
		}
	}
	srv := newSite(httputil.NewSingleHostReverseProxy(target))
	defer srv.Close()
	ctx, urls := browser(t, srv)
	s := seed{expr: "||Y - B*X||_F^2", let: "Y: q x n; B: q x p; X: p x n", wrt: "B"}
	frag := "#expr=" + encodeURIComponent(s.expr) + "&let=" + encodeURIComponent(s.let) + "&wrt=" + encodeURIComponent(s.wrt)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+frag)); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("data-state %q, %v", state, err)
	}
	lines, _ := chromedp.Run(ctx, chromedp.Evaluate[[]pageLine](readLines))
	out, _, _ := runCLI(t, s.cliArgs("ascii")...)
	sameLines(t, lines, out)
	checkOrigin(t, srv, urls())
}

func TestBrowserServe(t *testing.T) {
	srv := newSite(web.Handler(web.Options{}))
	defer srv.Close()
	ctx, urls := browser(t, srv)
	testPage(t, ctx, srv.URL, false)
	paths, _ := srv.requests()
	if !slices.Contains(paths, "/api/answer") {
		t.Errorf("no request to api/answer was seen: %q", paths)
	}
	checkOrigin(t, srv, urls())
}

func testPage(t *testing.T, ctx context.Context, base string, static bool) {
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := waitAnswer(ctx); err != nil {
		t.Fatalf("the first answer: %v", err)
	}
	var latencies []float64
	for _, s := range seeds(t) {
		t.Run("seed/"+s.name, func(t *testing.T) {
			if err := ask(ctx, s); err != nil {
				t.Fatal(err)
			}
			state, err := waitAnswer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out, stderr, code := runCLI(t, s.cliArgs("ascii")...)
			if code != 0 {
				t.Fatalf("mdiff diff failed: %s", stderr)
			}
			if state != "ready" {
				msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.error')].map(e => e.textContent).join('\n')`))
				t.Fatalf("data-state = %s: %s", state, msg)
			}
			lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageLine](readLines))
			if err != nil {
				t.Fatal(err)
			}
			sameLines(t, lines, out)
			if !slices.ContainsFunc(lines, func(l pageLine) bool { return l.Kind == "grad" || l.Kind == "df" }) {
				t.Errorf("no derivative on the page: %+v", lines)
			}
			text, _, _ := runCLI(t, s.cliArgs("text")...)
			_, check := cliLines(text)
			if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("check"))); got != check {
				t.Errorf("check line %q, mdiff diff: %q", got, check)
			}
			// Latency is measured and reported (the README's figure), never
			// asserted: a test must not fail because the machine is busy.
			latencies = append(latencies, latency(ctx))
		})
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		t.Logf("last keystroke to answer on screen: median %.0f ms, max %.0f ms over %d seed examples", latencies[len(latencies)/2], latencies[len(latencies)-1], len(latencies))
	}
	t.Run("examples", func(t *testing.T) { testExamples(t, ctx) })
	t.Run("notes", func(t *testing.T) { testNotes(t, ctx) })
	if static {
		t.Run("budget", func(t *testing.T) { testBudget(t, ctx) })
	}
	t.Run("errors", func(t *testing.T) { testErrors(t, ctx) })
	t.Run("permalink", func(t *testing.T) { testPermalink(t, ctx, base) })
	t.Run("tabs", func(t *testing.T) { testTabs(t, ctx) })
	t.Run("labels", func(t *testing.T) { testLabels(t, ctx) })
	t.Run("phone", func(t *testing.T) { testPhone(t, ctx, base, static) })
}

// latency is the time from the last keystroke to the answer on screen, in
// ms, as the page measured it (data-latency).
func latency(ctx context.Context) float64 {
	lat, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.latency`))
	ms, err := strconv.ParseFloat(lat, 64)
	if err != nil {
		return math.Inf(1)
	}
	return ms
}

// testNotes: the notes of inference are shown under the expression, as the
// CLI writes them on standard error.
func testNotes(t *testing.T, ctx context.Context) {
	s := seed{expr: "x^2 + sum(A*y)", wrt: "y"}
	if err := ask(ctx, s); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("data-state %q, %v", state, err)
	}
	_, stderr, _ := runCLI(t, s.cliArgs("text")...)
	var want []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "note: ") {
			want = append(want, l)
		}
	}
	got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#notes li')].map(e => e.textContent)`))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("notes on the page %q, mdiff diff: %q", got, want)
	}
}

// testExamples clicks every example and checks that it is answered with a
// derivative.
func testExamples(t *testing.T, ctx context.Context) {
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('button.example').length`))
	if err != nil || n < 5 {
		t.Fatalf("%d examples (%v), want the regression, a network layer, logdet, an inverse, a Hessian", n, err)
	}
	for i := range n {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#examples li:nth-child(%d) button", i+1)))); err != nil {
			t.Fatal(err)
		}
		state, err := waitAnswer(ctx)
		expr, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`expr.value`))
		if err != nil || state != "ready" {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.error')].map(e => e.textContent).join('\n')`))
			t.Errorf("example %d (%s): data-state %q, %v %s", i+1, expr, state, err, msg)
			continue
		}
		lines, _ := chromedp.Run(ctx, chromedp.Evaluate[[]pageLine](readLines))
		if !slices.ContainsFunc(lines, func(l pageLine) bool { return l.Kind == "df" }) {
			t.Errorf("example %d (%s): no derivative: %+v", i+1, expr, lines)
		}
	}
}

// testBudget: in the static site a computation over the budget ends its
// worker with a message, the page answers while it computes, and the next
// question is answered by a new worker.
func testBudget(t *testing.T, ctx context.Context) {
	defer chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`delete document.documentElement.dataset.budget`))
	slow := seed{expr: "sum(exp(A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X))", wrt: "X", hess: true} // 0.4 s natively
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.budget = '100'`)); err != nil {
		t.Fatal(err)
	}
	if err := ask(ctx, slow); err != nil {
		t.Fatal(err)
	}
	// The page is not frozen while the worker computes: its script answers.
	if st, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.state`)); err != nil || st != "busy" {
		t.Errorf("while computing: data-state %q, %v", st, err)
	}
	state, err := waitAnswer(ctx)
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('expr-error').textContent`))
	if err != nil || state != "error" || !strings.Contains(msg, "stopped after 0.1 s") {
		t.Errorf("over the budget: data-state %q, %v, message %q", state, err, msg)
	}
	// The next question, with the default budget, is answered by a new worker.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`delete document.documentElement.dataset.budget`)); err != nil {
		t.Fatal(err)
	}
	if err := ask(ctx, seed{expr: "tr(A*X)", let: "A: n x n; X: n x n", wrt: "X"}); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('expr-error').textContent`))
		t.Errorf("after the worker was stopped: data-state %q, %v %s", state, err, msg)
	}
}

// testErrors checks that a syntax error and a shape conflict are shown
// under the field as the CLI writes them (after "mdiff: "), caret included.
func testErrors(t *testing.T, ctx context.Context) {
	for _, s := range []seed{
		{name: "syntax", expr: "A*(B + ", wrt: "A"},
		{name: "shape conflict", expr: "A*B + C", let: "A: n x p; B: p x q; C: n x n", wrt: "A"},
		{name: "declaration", expr: "A*B", let: "A: real n x p", wrt: "A"},
	} {
		t.Run(s.name, func(t *testing.T) {
			if err := ask(ctx, s); err != nil {
				t.Fatal(err)
			}
			state, err := waitAnswer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if state != "error" {
				t.Fatalf("data-state = %s, want error", state)
			}
			_, stderr, code := runCLI(t, s.cliArgs("text")...)
			if code != 1 {
				t.Fatalf("mdiff diff exit %d, want 1: %s", code, stderr)
			}
			want := strings.TrimSuffix(strings.TrimPrefix(stderr, "mdiff: "), "\n")
			field := "expr"
			if s.name == "declaration" {
				field = "let"
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(e => e.hidden ? '(hidden)' : e.textContent)(document.getElementById('`+field+`-error'))`))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("error under %s:\n%s\nmdiff diff:\n%s", field, got, want)
			}
			if !strings.Contains(got, "^") {
				t.Errorf("no caret in %q", got)
			}
			if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#lines .line').length`)); n != 0 {
				t.Errorf("%d answer lines shown with an error", n)
			}
		})
	}
}

// testPermalink opens a link with the fragment of SPEC §6 in a fresh page
// load and checks the fields, the switches and the answer.
func testPermalink(t *testing.T, ctx context.Context, base string) {
	s := seed{expr: "x'*A*x", let: "x: n; A: n x n", wrt: "x", hess: true, steps: true}
	frag := "#expr=" + encodeURIComponent(s.expr) + "&let=" + encodeURIComponent(s.let) + "&wrt=" + encodeURIComponent(s.wrt) + "&steps=1&hessian=1"
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/"+frag)); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("data-state %q, %v", state, err)
	}
	fields, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`[expr.value, document.getElementById('let').value, wrt.value, hessian.checked, steps.checked]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{s.expr, s.let, s.wrt, true, true}; fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	lines, _ := chromedp.Run(ctx, chromedp.Evaluate[[]pageLine](readLines))
	out, _, _ := runCLI(t, s.cliArgs("ascii")...)
	sameLines(t, lines, out)
	if !slices.ContainsFunc(lines, func(l pageLine) bool { return l.Kind == "hessmat" }) {
		t.Errorf("the permalink's Hessian is not shown: %+v", lines)
	}
	// The steps, as the CLI numbers them: "  1. lhs = rhs    [rule]".
	steps, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#steps-list .line')].map(e => e.dataset.ascii)`))
	var want []string
	for _, l := range strings.Split(out, "\n") {
		if n, rest, ok := strings.Cut(strings.TrimPrefix(l, "  "), ". "); ok && strings.HasPrefix(l, "  ") && n != "" && strings.Trim(n, "0123456789") == "" {
			expr, _, _ := strings.Cut(rest, "    [")
			want = append(want, expr)
		}
	}
	if len(want) == 0 || !slices.Equal(steps, want) {
		t.Errorf("steps on the page %q, mdiff diff --steps %q", steps, want)
	}
	// Typing rewrites the fragment, so the address is always a permalink.
	if err := ask(ctx, seed{expr: "tr(X)", wrt: "X"}); err != nil { // the switches off
		t.Fatal(err)
	}
	waitAnswer(ctx)
	if h, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`)); h != "#expr=tr(X)&let=&wrt=X" {
		t.Errorf("fragment after typing tr(X): %q", h)
	}
}

// encodeURIComponent is JavaScript's, for the characters of the tests.
func encodeURIComponent(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// testTabs selects every tab, by click and by arrow key, and compares the
// panel with mdiff diff --format F.
func testTabs(t *testing.T, ctx context.Context) {
	s := seed{expr: "||Y - B*X||_F^2", let: "Y: q x n; B: q x p; X: p x n", wrt: "B"}
	if err := ask(ctx, s); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("data-state %q, %v", state, err)
	}
	tabs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[role=tab]')].map(b => b.dataset.format)`))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range render.Formats {
		want = append(want, string(f))
	}
	if !slices.Equal(tabs, want) {
		t.Errorf("tabs %q, render.Formats %q", tabs, want)
	}
	panel := func() (string, string) {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById('panel').dataset.format, document.getElementById('output').textContent]`))
		if len(v) != 2 {
			return "", ""
		}
		return v[0], v[1]
	}
	for _, f := range tabs {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("tab-"+f))); err != nil {
			t.Fatal(err)
		}
		got, body := panel()
		out, _, _ := runCLI(t, s.cliArgs(f)...)
		if got != f || body != out {
			t.Errorf("tab %s shows %s:\n%s\nmdiff diff --format %s:\n%s", f, got, body, f, out)
		}
	}
	// Copy buttons copy the line's data-ascii and the panel's text.
	copied := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			let got = null;
			navigator.clipboard.writeText = s => { got = s; return Promise.resolve(); };
			document.querySelector(`+"`"+sel+"`"+`).click();
			await new Promise(r => setTimeout(r, 0));
			return got;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := copied("#lines .line.grad .copy"); got != "2*(B*X - Y)*X'" {
		t.Errorf("the gradient's copy button copied %q", got)
	}
	_, body := panel()
	if got := copied("#copy-output"); got != body {
		t.Errorf("the panel's copy button copied %q, the panel shows %q", got, body)
	}
	// Enter asks at once: a value set without an input event is answered.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`expr.value = 'tr(B)'; document.getElementById('let').value = 'B: n x n'; wrt.value = 'B'`),
		chromedp.SendKeys(chromedp.ID("expr"), kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("after Enter: data-state %q, %v", state, err)
	}
	if lines, _ := chromedp.Run(ctx, chromedp.Evaluate[[]pageLine](readLines)); len(lines) < 3 || lines[2].ASCII == nil || *lines[2].ASCII != "I" {
		t.Errorf("after Enter on tr(B): %+v", lines)
	}
	// The keyboard: arrow keys move between tabs.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("tab-"+tabs[0])), chromedp.SendKeys(chromedp.ID("tab-"+tabs[0]), kb.ArrowRight)); err != nil {
		t.Fatal(err)
	}
	if got, _ := panel(); got != tabs[1] {
		t.Errorf("ArrowRight on the %s tab selected %s, want %s", tabs[0], got, tabs[1])
	}
	focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if focused != "tab-"+tabs[1] {
		t.Errorf("focus on %q after ArrowRight, want tab-%s", focused, tabs[1])
	}
}

// testLabels: every field has a label, every button and every rendered
// line a name for screen readers.
func testLabels(t *testing.T, ctx context.Context) {
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		...[...document.querySelectorAll('input, textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => 'field ' + e.id),
		...[...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).map(b => 'button ' + b.outerHTML),
		...[...document.querySelectorAll('.line .math')].filter(m => !m.getAttribute('aria-label')).map(m => 'line ' + m.textContent),
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("without a name for screen readers: %q", bad)
	}
}

// testPhone checks the page at 375 px: nothing wider than the screen but
// the math itself (which scrolls in its line).
func testPhone(t *testing.T, ctx context.Context, base string, static bool) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Do(ctx, chromedp.EmulateViewport(1000, 900))
	s := seed{expr: "||tanh(W*x + b) - y||^2", let: "W: m x n; x: n; b: m; y: m", wrt: "W, b"}
	if err := ask(ctx, s); err != nil {
		t.Fatal(err)
	}
	if state, err := waitAnswer(ctx); err != nil || state != "ready" {
		t.Fatalf("data-state %q, %v", state, err)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if w > 375 {
		t.Errorf("the page is %d px wide at a 375 px viewport", w)
	}
	if static && *screenshot {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../docs/screenshot-phone.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 900)); err != nil {
			t.Fatal(err)
		}
		if err := ask(ctx, seed{expr: "||Y - B*X||_F^2", let: "Y: q x n; B: q x p; X: p x n", wrt: "B", hess: true}); err != nil {
			t.Fatal(err)
		}
		waitAnswer(ctx)
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../docs/screenshot.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
