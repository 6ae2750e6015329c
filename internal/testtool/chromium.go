package testtool

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

// chromiumPath is a headless-capable Chromium or Chrome: $MDIFF_CHROMIUM, or
// the first of chromium, chromium-browser, google-chrome on PATH, or "".
var chromiumPath = sync.OnceValue(func() string {
	if p := os.Getenv("MDIFF_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
})

// Chromium returns the path of a Chromium for the browser tests (Debian's
// chromium, which .ci/run installs). Without one it calls Need.
func Chromium(t testing.TB) string {
	t.Helper()
	p := chromiumPath()
	Need(t, "chromium (apt-get install chromium)", p != "")
	return p
}
