package cli

import (
	"context"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff/web"
)

// newServeCmd is mdiff serve: the web page of SPEC §6, computed by this
// process (package web), on loopback unless --addr says otherwise.
func newServeCmd(stdout, stderr io.Writer) *cobra.Command {
	var addr string
	var opts web.Options
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the web page: type an expression, see its derivatives",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			return web.Serve(ctx, addr, opts, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	f.DurationVar(&opts.Budget, "budget", 0, "longest time one answer may take (default 10s)")
	f.IntVar(&opts.Concurrent, "concurrent", 0, "answers computed at once (default 2 × CPUs)")
	return cmd
}
