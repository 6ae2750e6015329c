package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/web"
	"github.com/mdiff/mdiff/web/engine"
)

var manyRequests = flag.Int("requests", 1000, "distinct requests of TestServerMemory")

func post(t *testing.T, url string, body []byte) (int, engine.Response) {
	t.Helper()
	r, err := http.Post(url+"/api/answer", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var resp engine.Response
	if err := json.NewDecoder(r.Body).Decode(&resp); err != nil {
		t.Fatalf("status %d: %v", r.StatusCode, err)
	}
	return r.StatusCode, resp
}

func request(q engine.Request) []byte {
	b, _ := json.Marshal(q)
	return b
}

func gradient(resp engine.Response) string {
	for _, l := range resp.Lines {
		if l.Kind == "grad" {
			return l.ASCII
		}
	}
	return ""
}

func TestServerAnswers(t *testing.T) {
	srv := httptest.NewServer(web.Handler(web.Options{}))
	defer srv.Close()
	code, resp := post(t, srv.URL, request(engine.Request{Expr: "||Y - B*X||_F^2", Let: "Y: q x n; B: q x p; X: p x n", Wrt: "B"}))
	if code != 200 || gradient(resp) != "2*(B*X - Y)*X'" || !strings.HasPrefix(resp.Check, "✓ checked numerically") {
		t.Errorf("status %d, answer %+v", code, resp)
	}
	code, resp = post(t, srv.URL, request(engine.Request{Expr: "A*(B", Wrt: "A"}))
	if code != 200 || resp.Error == nil || resp.Error.Field != "expr" || !strings.Contains(resp.Error.Message, "^") {
		t.Errorf("a syntax error: status %d, answer %+v", code, resp)
	}
}

// TestServerBudget: an answer that takes longer than the budget is an
// error answer, sent when the budget ends, not a hung connection.
func TestServerBudget(t *testing.T) {
	const budget = 20 * time.Millisecond
	slow := request(engine.Request{Expr: "sum(exp(A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X*A*X*B*X))", Wrt: "X", Hessian: true})
	full := httptest.NewServer(web.Handler(web.Options{}))
	defer full.Close()
	start := time.Now()
	if code, resp := post(t, full.URL, slow); code != 200 || resp.Error != nil {
		t.Fatalf("without a budget: status %d, %+v", code, resp.Error)
	}
	whole := time.Since(start)

	srv := httptest.NewServer(web.Handler(web.Options{Budget: budget}))
	defer srv.Close()
	start = time.Now()
	code, resp := post(t, srv.URL, slow)
	took := time.Since(start)
	if code != 200 || resp.Error == nil || !strings.Contains(resp.Error.Message, "gave up after 20ms") {
		t.Errorf("status %d, answer %+v; want the budget's error", code, resp)
	}
	t.Logf("the answer takes %v; with a budget of %v the error came after %v", whole, budget, took)
}

// TestServerLimits: an oversized body and an oversized field are errors.
func TestServerLimits(t *testing.T) {
	srv := httptest.NewServer(web.Handler(web.Options{}))
	defer srv.Close()
	code, resp := post(t, srv.URL, request(engine.Request{Expr: strings.Repeat("x+", 1<<20) + "x", Wrt: "x"}))
	if code != http.StatusBadRequest || resp.Error == nil || !strings.Contains(resp.Error.Message, "bytes") {
		t.Errorf("a 2 MB body: status %d, answer %+v", code, resp)
	}
	code, resp = post(t, srv.URL, request(engine.Request{Expr: strings.Repeat("x+", 5000) + "x", Wrt: "x"}))
	if code != 200 || resp.Error == nil || !strings.Contains(resp.Error.Message, "answers up to") {
		t.Errorf("a 10 kB expression: status %d, answer %+v", code, resp)
	}
	code, resp = post(t, srv.URL, []byte(`{"expr": `))
	if code != http.StatusBadRequest || resp.Error == nil {
		t.Errorf("bad JSON: status %d, answer %+v", code, resp)
	}
	// A form post, which another site's page could send without a preflight.
	r, err := http.Post(srv.URL+"/api/answer", "text/plain", strings.NewReader(`{"expr": "x'*x", "wrt": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a text/plain post: status %d, want 415", r.StatusCode)
	}
}

// TestServerConcurrent: concurrent requests are all answered, each with its
// own answer.
func TestServerConcurrent(t *testing.T) {
	srv := httptest.NewServer(web.Handler(web.Options{Concurrent: 3}))
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, resp := post(t, srv.URL, request(engine.Request{Expr: fmt.Sprintf("%d*tr(A*X)", i+2), Let: "A: n x n; X: n x n", Wrt: "X"}))
			if want := fmt.Sprintf("%d*A'", i+2); code != 200 || gradient(resp) != want {
				t.Errorf("request %d: status %d, gradient %q, want %q (%+v)", i, code, gradient(resp), want, resp.Error)
			}
		}()
	}
	wg.Wait()
}

// TestServerMemory runs many distinct requests and fails if the live heap
// grows over the second half of them: nothing of an answered request may
// stay (the intern table holds its nodes weakly).
func TestServerMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("many requests")
	}
	h := web.Handler(web.Options{})
	heap := func() uint64 {
		// Collect until the intern table stops shrinking: its entries go
		// in cleanups, which run on a goroutine of their own and lag on a
		// busy machine.
		for last, round := -1, 0; round < 1000; round++ {
			runtime.GC()
			if n := ast.InternedNodes(); n != last {
				last = n
				time.Sleep(2 * time.Millisecond)
				continue
			}
			break
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	n := *manyRequests
	before := heap()
	var mid uint64
	start := time.Now()
	for i := range n {
		body := request(engine.Request{Expr: fmt.Sprintf("||A*x - %d*b||^2 + %d*sum(x)", i+1, i+7), Let: "A: m x n; x: n; b: m", Wrt: "x"})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, jsonRequest(body))
		if rec.Code != 200 || strings.Contains(rec.Body.String(), `"error"`) {
			t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body.String())
		}
		if i == n/2 {
			mid = heap()
		}
	}
	after := heap()
	// The same question again and again: nothing new to intern.
	same := request(engine.Request{Expr: "||A*x - 3*b||^2 + 9*sum(x)", Let: "A: m x n; x: n; b: m", Wrt: "x"})
	for range 200 {
		h.ServeHTTP(httptest.NewRecorder(), jsonRequest(same))
	}
	repeated := heap()
	t.Logf("200 repeated requests: live heap %+.2f MB", mb(repeated)-mb(after))
	t.Logf("%d distinct requests in %v: live heap %.1f MB before, %.1f MB after %d, %.1f MB after %d (%.1f kB per request in the second half)",
		n, time.Since(start).Round(time.Millisecond), mb(before), mb(mid), n/2+1, mb(after), n,
		(float64(after)-float64(mid))/1024/float64(n-n/2-1))
	// Nothing of an answered request stays: no growth beyond noise over the
	// second half (an intern table that kept its nodes grew 15 kB a request).
	if grew := float64(after) - float64(mid); grew > float64(n)*1024 {
		t.Errorf("the live heap grew %.1f MB over %d requests", grew/(1<<20), n-n/2-1)
	}
}

func jsonRequest(body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/api/answer", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// TestAssets: every asset is served, with the page's Content-Security-Policy
// allowing this origin only, and compressed when the client accepts gzip.
func TestAssets(t *testing.T) {
	srv := httptest.NewServer(web.Handler(web.Options{}))
	defer srv.Close()
	for _, page := range []string{string(web.Page(web.EngineServer)), string(web.Page(web.EngineWasm))} {
		m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(m[1], "default-src 'self'") || strings.Contains(m[1], "http") || strings.Contains(m[1], "*") {
			t.Errorf("the page's CSP %q does not restrict it to its origin", m)
		}
	}
	err := fs.WalkDir(web.Assets(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || name == "worker.js" {
			return err
		}
		url := srv.URL + "/" + name
		if name == "index.html" {
			url = srv.URL + "/"
		}
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept-Encoding", "gzip") // so the transport does not decode it
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("%s: status %d", name, r.StatusCode)
		}
		if !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: no CSP", name)
		}
		if gz := r.Header.Get("Content-Encoding") == "gzip"; gz == strings.HasSuffix(name, ".woff2") {
			t.Errorf("%s: Content-Encoding %q", name, r.Header.Get("Content-Encoding"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(web.Assets(), "katex/LICENSE"); err != nil {
		t.Errorf("KaTeX's licence is not shipped: %v", err)
	}
}
