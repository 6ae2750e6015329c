//go:build unix

package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	ch  chan struct{}
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.ch <- struct{}{}
	defer func() { <-b.ch }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.ch <- struct{}{}
	defer func() { <-b.ch }()
	return b.buf.String()
}

// TestServe runs mdiff serve on a free loopback port, asks it one question
// through the page's API, and stops it with an interrupt, as Ctrl-C does.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stderr := &syncBuffer{ch: make(chan struct{}, 1)}
	done := make(chan int, 1)
	go func() { done <- Main([]string{"serve", "--addr", addr}, io.Discard, stderr) }()
	url := "http://" + addr
	var page *http.Response
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if page, err = http.Get(url + "/"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("mdiff serve --addr %s did not answer: %v\n%s", addr, err, stderr.String())
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !bytes.Contains(body, []byte(`data-engine="server"`)) {
		t.Errorf("GET / is not the served page:\n%.300s", body)
	}
	r, err := http.Post(url+"/api/answer", "application/json", strings.NewReader(`{"expr": "||Y - B*X||_F^2", "let": "Y: q x n; B: q x p; X: p x n", "wrt": "B"}`))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Lines []struct{ Kind, ASCII string }
	}
	json.NewDecoder(r.Body).Decode(&resp)
	r.Body.Close()
	if len(resp.Lines) < 3 || resp.Lines[2].Kind != "grad" || resp.Lines[2].ASCII != "2*(B*X - Y)*X'" {
		t.Errorf("the answer's lines: %+v", resp.Lines)
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("mdiff serve exited %d after an interrupt:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mdiff serve did not stop after an interrupt")
	}
	if want := "serving " + url + "/"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not say %q", stderr.String(), want)
	}
}
