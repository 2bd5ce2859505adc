// Package pgtest starts a throwaway PostgreSQL server for tests and
// measurements: initdb into a temporary folder, postgres on a free port of
// 127.0.0.1 with durability off (fsync, full-page writes and synchronous
// commits: nothing is kept), a database per test. It needs PostgreSQL's
// server binaries (Debian's postgresql package puts them in
// /usr/lib/postgresql/N/bin); initdb refuses to run as root, so as root
// the server runs as the unprivileged user postgres.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrNoServer is in the chain of Start's error when no PostgreSQL server
// binaries are installed.
var ErrNoServer = errors.New("no PostgreSQL server binaries (initdb, postgres) found: install Debian's postgresql package, or set HERALD_PG_BIN to their folder")

// BinDir returns the folder of PostgreSQL's initdb and postgres: the
// HERALD_PG_BIN environment variable, else the newest
// /usr/lib/postgresql/N/bin, else the folder of an initdb on the PATH.
func BinDir() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("HERALD_PG_BIN"); dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("HERALD_PG_BIN=%s: %w", dir, ErrNoServer)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", ErrNoServer
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Server is a running throwaway PostgreSQL server.
type Server struct {
	dir  string // the temporary folder: data/, the socket, the log
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when postgres exits
	n    atomic.Int64  // databases created
}

// Start initialises a cluster in a new temporary folder and starts
// postgres on it; Stop stops it and removes the folder.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "herald-pg-")
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	s := &Server{dir: dir}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	cred, err := serverUser(dir)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	setCredential(initdb, cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: initdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	for attempt := 0; ; attempt++ {
		s.port, err = freePort()
		if err != nil {
			return nil, fmt.Errorf("start PostgreSQL: %w", err)
		}
		err = s.run(ctx, bin, data, cred)
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// run starts postgres on s.port and waits until it accepts connections.
func (s *Server) run(ctx context.Context, bin, data string, cred *credential) error {
	logf, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
		"-c", "max_connections=200", "-c", "shared_buffers=64MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	setCredential(cmd, cred)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := s.open("postgres")
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			return fmt.Errorf("start PostgreSQL: postgres exited: %s", strings.TrimSpace(string(log)))
		case <-ctx.Done():
			s.Stop()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("start PostgreSQL: not ready after 30 s: %w", err)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URL returns the URL of database name on the server.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

func (s *Server) open(name string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(s.URL(name))
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

// CreateDatabase creates a new, empty database (a copy of template when
// not empty) and returns its name (see URL).
func (s *Server) CreateDatabase(ctx context.Context, template string) (string, error) {
	name := fmt.Sprintf("t%d", s.n.Add(1))
	db, err := s.open("postgres")
	if err != nil {
		return "", err
	}
	defer db.Close()
	q := `CREATE DATABASE ` + name
	if template != "" {
		q += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// Exec runs statements on the server's maintenance database.
func (s *Server) Exec(ctx context.Context, q string) error {
	db, err := s.open("postgres")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}

// Stop stops the server (fast shutdown, then a kill after 10 s) and
// removes its folder.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}

// credential is the user postgres runs as; nil is the current user.
type credential struct{ uid, gid uint32 }

// serverUser returns who runs the server: as root, the user postgres (who
// then owns dir); otherwise the current user.
func serverUser(dir string) (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no user postgres to run the server as: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return nil, err
	}
	return &credential{uint32(uid), uint32(gid)}, nil
}

// Lazy is the one server of a test binary: started by the first test that
// asks for a database, stopped by TestMain after the tests.
type Lazy struct {
	once sync.Once
	srv  *Server
	err  error
}

// Server returns the server, starting it on first use; a test that cannot
// have one is skipped with the reason (when the binaries are missing) or
// fails (when they are there but the server does not start).
func (l *Lazy) Server(tb testing.TB) *Server {
	tb.Helper()
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		l.srv, l.err = Start(ctx)
	})
	if errors.Is(l.err, ErrNoServer) {
		tb.Skipf("PostgreSQL tests skipped: %v", l.err)
	}
	if l.err != nil {
		tb.Fatalf("cannot start a PostgreSQL server for the tests: %v", l.err)
	}
	return l.srv
}

// Stop stops the server if it was started.
func (l *Lazy) Stop() {
	if l.srv != nil {
		l.srv.Stop()
	}
}
