// Command loadgen sends requests to the reference auth service (or to
// nginx in front of it) from a number of concurrent clients for a while,
// and prints the requests per second and the 50th and 99th percentile
// latencies, as a row of a Markdown table. benchmarks/load.sh starts the
// stack it measures and runs it.
//
//	loadgen -base http://127.0.0.1:8080 -target me -clients 1,16,64 -duration 5s [-via nginx]
//	loadgen -wait http://127.0.0.1:8080/healthz
//
// Targets:
//
//   - static: GET / (nginx serves the web client's index.html itself).
//   - me: GET /api/me with the access token of one login.
//   - refresh: POST /token/refresh; each client logs in once, then sends
//     the refresh token of its latest pair, as a client of the service
//     does.
//
// Every answer must have the status the target expects (200); one that
// does not is counted as an error, and loadgen exits with status 1 if any
// request failed. Each client has its own keep-alive connection.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "", "base `URL` of the service or of nginx")
	target := flag.String("target", "me", "what to request: static, me or refresh")
	clients := flag.String("clients", "1,16,64", "comma-separated `list` of concurrent clients, one run each")
	duration := flag.Duration("duration", 5*time.Second, "how long each run sends requests, after a warm-up of a tenth of it")
	via := flag.String("via", "", "how the requests reach the service, for the table (nginx, direct)")
	user := flag.String("user", "bench", "user name to log in with")
	password := flag.String("password", "bench-password", "password to log in with")
	header := flag.Bool("header", false, "print the table's header first")
	wait := flag.String("wait", "", "poll `URL` until it answers 200 (at most 30 s), then exit")
	flag.Parse()

	if *wait != "" {
		if err := waitFor(*wait, 30*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *base == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -base is required")
		os.Exit(2)
	}
	if *header {
		fmt.Println("| request | via | clients | requests/s | p50 | p99 | errors |")
		fmt.Println("|---|---|--:|--:|--:|--:|--:|")
	}
	failed := false
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "loadgen: bad client count %q\n", c)
			os.Exit(2)
		}
		l := &load{base: strings.TrimSuffix(*base, "/"), target: *target, user: *user, password: *password}
		r, err := l.run(n, *duration)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		fmt.Printf("| %s | %s | %d | %.0f | %s | %s | %d |\n", l.request(), *via, n, r.rate, ms(r.p50), ms(r.p99), r.errors)
		if r.errors > 0 {
			failed = true
			fmt.Fprintf(os.Stderr, "loadgen: %d requests failed, the first: %v\n", r.errors, r.firstErr)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// waitFor polls u until it answers 200.
func waitFor(u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(u)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %v (last: %v)", u, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load is one run's configuration.
type load struct {
	base, target, user, password string
}

// result is what a run measured.
type result struct {
	rate     float64 // requests per second
	p50, p99 time.Duration
	errors   int
	firstErr error
}

// request names what the run requests, for the table.
func (l *load) request() string {
	switch l.target {
	case "static":
		return "GET / (static file)"
	case "me":
		return "GET /api/me"
	case "refresh":
		return "POST /token/refresh"
	}
	return l.target
}

// client is one concurrent client: its HTTP client with a connection of
// its own, and the tokens of its session.
type client struct {
	hc      *http.Client
	access  string
	refresh string
}

func newClient() *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	return &client{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// pair is the part of a token answer the clients use.
type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// post sends a form to u and decodes a 200 answer's token pair.
func (c *client) post(u string, form url.Values) (pair, error) {
	resp, err := c.hc.PostForm(u, form)
	if err != nil {
		return pair{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return pair{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return pair{}, fmt.Errorf("POST %s: status %d: %.200s", u, resp.StatusCode, body)
	}
	var p pair
	if err := json.Unmarshal(body, &p); err != nil {
		return pair{}, fmt.Errorf("POST %s: %w", u, err)
	}
	if p.AccessToken == "" || p.RefreshToken == "" {
		return pair{}, fmt.Errorf("POST %s: no token pair in %.200s", u, body)
	}
	return p, nil
}

func (c *client) login(l *load) error {
	p, err := c.post(l.base+"/login", url.Values{"username": {l.user}, "password": {l.password}})
	c.access, c.refresh = p.AccessToken, p.RefreshToken
	return err
}

// do sends one request of the run's target.
func (c *client) do(l *load) error {
	switch l.target {
	case "refresh":
		p, err := c.post(l.base+"/token/refresh", url.Values{"refresh_token": {c.refresh}})
		if err == nil {
			c.refresh = p.RefreshToken
		}
		return err
	case "static", "me":
		path := "/"
		if l.target == "me" {
			path = "/api/me"
		}
		req, err := http.NewRequest(http.MethodGet, l.base+path, nil)
		if err != nil {
			return err
		}
		if c.access != "" {
			req.Header.Set("Authorization", "Bearer "+c.access)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		return nil
	}
	return fmt.Errorf("unknown target %q", l.target)
}

// run sends requests from n clients for d, after a warm-up of d/10, and
// measures them.
func (l *load) run(n int, d time.Duration) (*result, error) {
	cs := make([]*client, n)
	var shared *client
	for i := range cs {
		cs[i] = newClient()
		switch l.target {
		case "refresh":
			if err := cs[i].login(l); err != nil { // a session of its own
				return nil, err
			}
		case "me":
			if shared == nil {
				if err := cs[i].login(l); err != nil {
					return nil, err
				}
				shared = cs[i]
			}
			cs[i].access = shared.access
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+d/10)
	defer cancel()
	start := time.Now().Add(d / 10) // requests begun before are the warm-up
	lat := make([][]time.Duration, n)
	errs := make([]int, n)
	firstErrs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				err := c.do(l)
				if t0.Before(start) {
					continue
				}
				if err != nil {
					if errs[i] == 0 {
						firstErrs[i] = err
					}
					errs[i]++
					if l.target == "refresh" {
						// A lost answer leaves the session behind: start
						// a new one rather than count every later request.
						c.login(l)
					}
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	r := &result{}
	for i := range cs {
		all = append(all, lat[i]...)
		r.errors += errs[i]
		if r.firstErr == nil && firstErrs[i] != nil {
			r.firstErr = firstErrs[i]
		}
	}
	if len(all) == 0 {
		if r.firstErr != nil {
			return nil, r.firstErr
		}
		return nil, errors.New("no request completed")
	}
	slices.Sort(all)
	r.rate = float64(len(all)) / elapsed.Seconds()
	r.p50 = all[len(all)*50/100]
	r.p99 = all[min(len(all)-1, len(all)*99/100)]
	return r, nil
}
