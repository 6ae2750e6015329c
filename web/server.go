package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mdiff/mdiff/web/engine"
)

// Options bound the work of the server. The zero value means the defaults.
type Options struct {
	// Budget is the longest one answer may take; after it the request is
	// answered with an error (the computation, which cannot be interrupted,
	// keeps its slot until it ends). Default 10 s.
	Budget time.Duration
	// Concurrent is how many answers are computed at once; a request waits
	// for a slot within its Budget. Default 2 × GOMAXPROCS.
	Concurrent int
}

func (o Options) withDefaults() Options {
	if o.Budget <= 0 {
		o.Budget = 10 * time.Second
	}
	if o.Concurrent <= 0 {
		o.Concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	return o
}

// maxBody bounds a request body: the fields (engine.MaxInput) in JSON.
const maxBody = 4*engine.MaxInput + 1024

// Handler serves the page (GET /), its assets and POST /api/answer, which
// takes an engine.Request as JSON and returns an engine.Response. Every
// response carries a Content-Security-Policy that allows only this origin.
func Handler(o Options) http.Handler {
	o = o.withDefaults()
	s := &server{opts: o, slots: make(chan struct{}, o.Concurrent), page: Page(EngineServer)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/answer", s.answer)
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /", s.asset)
	return headers(mux)
}

const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

type server struct {
	opts  Options
	slots chan struct{}
	page  []byte
	gz    sync.Map // asset name → gzipped bytes
}

func (s *server) index(w http.ResponseWriter, r *http.Request) {
	s.serveBytes(w, r, "index.html", s.page)
}

func (s *server) asset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "index.html" || name == "worker.js" {
		// The served page computes on the server; the worker is the static site's.
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(Assets(), name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	s.serveBytes(w, r, name, b)
}

// serveBytes writes an asset, gzipped when the client accepts it and the
// type is not compressed already (woff2 is).
func (s *server) serveBytes(w http.ResponseWriter, r *http.Request, name string, b []byte) {
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".woff2":
		ct = "font/woff2"
	case "":
		ct = "text/plain; charset=utf-8" // LICENSE, README
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	if path.Ext(name) != ".woff2" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		z, ok := s.gz.Load(name)
		if !ok {
			z, _ = s.gz.LoadOrStore(name, gzipBytes(b))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		b = z.([]byte)
	}
	w.Write(b)
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// answer computes one answer within the budget, in one of the slots.
//
// Only a JSON body is answered: another site's page cannot send one to this
// origin without a CORS preflight, which the server does not grant.
func (s *server) answer(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, engine.Response{Error: &engine.Error{Message: "api/answer takes a JSON body (Content-Type: application/json)"}})
		return
	}
	var req engine.Request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		msg := "bad request: " + err.Error()
		if errors.As(err, &tooBig) {
			msg = fmt.Sprintf("the request is over %d bytes; the page answers up to %d bytes of input", maxBody, engine.MaxInput)
		}
		writeJSON(w, http.StatusBadRequest, engine.Response{Error: &engine.Error{Message: msg}})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Budget)
	defer cancel()
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		writeJSON(w, http.StatusServiceUnavailable, engine.Response{Error: &engine.Error{Message: fmt.Sprintf("busy: %d answers are being computed; try again", cap(s.slots))}})
		return
	}
	done := make(chan engine.Response, 1)
	go func() {
		defer func() { <-s.slots }()
		done <- engine.Answer(req)
	}()
	select {
	case resp := <-done:
		writeJSON(w, http.StatusOK, resp)
	case <-ctx.Done():
		writeJSON(w, http.StatusOK, engine.Response{Error: &engine.Error{
			Message: fmt.Sprintf("gave up after %v: this derivative takes too long to compute", s.opts.Budget),
			Field:   "expr",
		}})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Serve listens on addr and serves Handler(o) until ctx is done. It
// reports the page's URL on log. An addr without a host (":8080") listens
// on every interface; the default of mdiff serve is loopback only.
func Serve(ctx context.Context, addr string, o Options, log io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	o = o.withDefaults()
	srv := &http.Server{
		Handler:           Handler(o),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      o.Budget + 10*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	if host, _, _ := net.SplitHostPort(addr); host == "" || !isLoopback(host) {
		fmt.Fprintf(log, "mdiff: warning: %s is reachable from other machines\n", ln.Addr())
	}
	fmt.Fprintf(log, "mdiff: serving http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return nil
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
