// tlogcheck: an independent client for the registry's C2SP tlog-tiles,
// built on Go's golang.org/x/mod/sumdb/note and .../tlog (the Go checksum
// database's implementation, which the C2SP specification grew from), so
// that our tiles are checked by code we did not write.
//
// It reads a log over HTTP from a URL prefix (the live server's /tlog or a
// static copy made by `modelfacts admin export-tiles`), verifies the
// checkpoint's Ed25519 signed-note signature with note.Verifier, then
//   - proves the inclusion of random entries: each entry is taken from its
//     entry bundle, hashed with tlog.RecordHash, and checked against the
//     checkpoint with tlog.ProveRecord/CheckRecord through
//     tlog.TileHashReader (which itself authenticates every tile it reads
//     against the checkpoint's root);
//   - proves consistency between random tree sizes (half of them to the
//     checkpoint's) with tlog.ProveTree/CheckTree, with an inclusion proof
//     in each smaller tree, and from every -old checkpoint given;
//   - with -all, checks that every entry of every bundle hashes to its
//     leaf hash in the level-0 tiles.
//
// The adapter (all this program adds to Go's packages):
//   - paths: Go names a hash tile tile/<H>/<L>/<N>[.p/<W>] with the height
//     H in the path; C2SP fixes H = 8 and drops it: tile/<L>/<N>[.p/<W>].
//     Both spell N in the same x-prefixed 3-digit groups.
//   - entries: C2SP bundles frame each entry with a big-endian uint16
//     length (Go's data tiles are newline-separated and not used here).
//   - the checkpoint body is C2SP tlog-checkpoint (origin, size, base64
//     root, optional extension lines); Go's tlog.ParseTree expects its own
//     "go.sum database tree" first line, so the body is parsed here.
//
// Exit status 0 when everything verified, 1 with a message otherwise.
// Build offline: GO111MODULE=off GOPATH=/usr/share/gocode go build.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

var (
	client  = &http.Client{Timeout: 30 * time.Second}
	fetches int
	fetchMu sync.Mutex
)

// get fetches prefix/path and insists on 200.
func get(prefix, path string) ([]byte, error) {
	fetchMu.Lock()
	fetches++
	fetchMu.Unlock()
	resp, err := client.Get(strings.TrimSuffix(prefix, "/") + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return body, nil
}

// c2spPath turns Go's tile path into the C2SP one (drops the height).
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	want := fmt.Sprintf("tile/%d/", height)
	if !strings.HasPrefix(p, want) {
		panic("unexpected tile path " + p)
	}
	return "tile/" + p[len(want):]
}

// bundlePath names entry bundle n of width w (256: full).
func bundlePath(n int64, w int) string {
	t := tlog.Tile{H: height, L: 0, N: n, W: w}
	return "tile/entries/" + strings.TrimPrefix(c2spPath(t), "tile/0/")
}

// tileReader reads hash tiles over HTTP, remembering them.
type tileReader struct {
	prefix string
	cache  map[string][]byte
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := c2spPath(t)
		if d, ok := r.cache[p]; ok {
			out[i] = d
			continue
		}
		d, err := get(r.prefix, p)
		if err != nil {
			return nil, err
		}
		if len(d) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", p, len(d),
				t.W*tlog.HashSize)
		}
		r.cache[p] = d
		out[i] = d
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// checkpoint is a verified C2SP tlog-checkpoint.
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies the signed note and parses its body.
func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	var c checkpoint
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return c, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.SplitAfter(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return c, errors.New("checkpoint body: want origin, size, root")
	}
	c.origin = strings.TrimSuffix(lines[0], "\n")
	size, err := strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil || size < 0 {
		return c, fmt.Errorf("checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint root %q", lines[2])
	}
	c.tree.N = size
	copy(c.tree.Hash[:], root)
	return c, nil
}

// parseBundle splits a C2SP entry bundle into its entries.
func parseBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b)-2 < n {
			return nil, errors.New("bundle: truncated entry")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

// bundle fetches and checks the entry bundle holding entry i: its width,
// and every entry's hash against the authenticated level-0 tile.
func bundle(prefix string, hr tlog.HashReader, size, i int64) ([][]byte, error) {
	n := i / 256
	w := 256
	if (n+1)*256 > size {
		w = int(size - n*256)
	}
	b, err := get(prefix, bundlePath(n, w))
	if err != nil {
		return nil, err
	}
	entries, err := parseBundle(b)
	if err != nil {
		return nil, err
	}
	if len(entries) != w {
		return nil, fmt.Errorf("bundle %d: %d entries, want %d", n,
			len(entries), w)
	}
	idx := make([]int64, w)
	for k := range idx {
		idx[k] = tlog.StoredHashIndex(0, n*256+int64(k))
	}
	leaves, err := hr.ReadHashes(idx)
	if err != nil {
		return nil, err
	}
	for k, e := range entries {
		if tlog.RecordHash(e) != leaves[k] {
			return nil, fmt.Errorf("entry %d does not hash to its leaf",
				n*256+int64(k))
		}
	}
	return entries, nil
}

func run() error {
	prefix := flag.String("url", "", "URL prefix of the log (…/tlog)")
	vkey := flag.String("key", "", "the log's verifier key (name+hash+key)")
	origin := flag.String("origin", "", "expected checkpoint origin")
	samples := flag.Int("samples", 20, "random inclusion and consistency proofs")
	seed := flag.Int64("seed", 0, "random seed (0: the time)")
	all := flag.Bool("all", false, "check every entry of every bundle")
	var olds []string
	flag.Func("old", "an earlier signed checkpoint (file) to prove consistency from",
		func(s string) error { olds = append(olds, s); return nil })
	flag.Parse()
	if *prefix == "" || *vkey == "" {
		return errors.New("usage: tlogcheck -url PREFIX -key VKEY [-origin O] [-samples N] [-all] [-old FILE]...")
	}
	v, err := note.NewVerifier(*vkey)
	if err != nil {
		return fmt.Errorf("key: %v", err)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano()
	}
	rng := rand.New(rand.NewSource(*seed))
	start := time.Now()

	// 1. The checkpoint, signature verified.
	msg, err := get(*prefix, "checkpoint")
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(msg, v)
	if err != nil {
		return err
	}
	if *origin != "" && cp.origin != *origin {
		return fmt.Errorf("origin %q, want %q", cp.origin, *origin)
	}
	size, root := cp.tree.N, cp.tree.Hash
	if size == 0 {
		return errors.New("empty log")
	}
	tr := &tileReader{prefix: *prefix, cache: map[string][]byte{}}
	hr := tlog.TileHashReader(cp.tree, tr)

	// 2. The tiles rebuild the checkpoint's root.
	th, err := tlog.TreeHash(size, hr)
	if err != nil {
		return fmt.Errorf("tree hash: %v", err)
	}
	if th != root {
		return errors.New("the tiles do not hash to the checkpoint's root")
	}

	// 3. Inclusion of random entries, read from their bundles.
	picks := []int64{0, size - 1}
	for k := 0; k < *samples; k++ {
		picks = append(picks, rng.Int63n(size))
	}
	for _, i := range picks {
		entries, err := bundle(*prefix, hr, size, i)
		if err != nil {
			return err
		}
		leaf := tlog.RecordHash(entries[i%256])
		p, err := tlog.ProveRecord(size, i, hr)
		if err != nil {
			return fmt.Errorf("prove entry %d: %v", i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, leaf); err != nil {
			return fmt.Errorf("entry %d: %v", i, err)
		}
	}

	// 4. Consistency between random sizes n1 <= n2 (n2 the checkpoint's
	// every other time), and inclusion of a random entry of tree n1 in
	// tree n2, each tree's hash computed from the tiles.
	for k := 0; k < *samples; k++ {
		n2 := size
		if k%2 == 1 {
			n2 = 1 + rng.Int63n(size)
		}
		n1 := 1 + rng.Int63n(n2)
		h1, err := tlog.TreeHash(n1, hr)
		if err != nil {
			return fmt.Errorf("tree hash %d: %v", n1, err)
		}
		h2, err := tlog.TreeHash(n2, hr)
		if err != nil {
			return fmt.Errorf("tree hash %d: %v", n2, err)
		}
		if n2 == size && h2 != root {
			return errors.New("tree hash differs from the checkpoint's")
		}
		p, err := tlog.ProveTree(n2, n1, hr)
		if err != nil {
			return fmt.Errorf("prove tree %d -> %d: %v", n1, n2, err)
		}
		if err := tlog.CheckTree(p, n2, h2, n1, h1); err != nil {
			return fmt.Errorf("consistency %d -> %d: %v", n1, n2, err)
		}
		i := rng.Int63n(n1)
		lh, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			return err
		}
		rp, err := tlog.ProveRecord(n2, i, hr)
		if err != nil {
			return fmt.Errorf("prove entry %d in %d: %v", i, n2, err)
		}
		if err := tlog.CheckRecord(rp, n2, h2, i, lh[0]); err != nil {
			return fmt.Errorf("entry %d in tree %d: %v", i, n2, err)
		}
	}

	// 5. Consistency from earlier signed checkpoints.
	for _, f := range olds {
		m, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		oc, err := openCheckpoint(m, v)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		if oc.origin != cp.origin || oc.tree.N > size || oc.tree.N == 0 {
			return fmt.Errorf("%s: not an earlier checkpoint of this log", f)
		}
		p, err := tlog.ProveTree(size, oc.tree.N, hr)
		if err != nil {
			return fmt.Errorf("prove tree %d: %v", oc.tree.N, err)
		}
		if err := tlog.CheckTree(p, size, root, oc.tree.N, oc.tree.Hash); err != nil {
			return fmt.Errorf("%s: consistency %d -> %d: %v", f,
				oc.tree.N, size, err)
		}
	}

	// 6. Every entry, when asked.
	checked := int64(0)
	if *all {
		for i := int64(0); i < size; i += 256 {
			entries, err := bundle(*prefix, hr, size, i)
			if err != nil {
				return err
			}
			checked += int64(len(entries))
		}
	}
	fmt.Printf("ok: origin %s size %d root %s; %d inclusion, %d consistency, %d old checkpoints, %d entries checked; %d fetches in %.2fs (seed %d)\n",
		cp.origin, size, base64.StdEncoding.EncodeToString(root[:]),
		len(picks), *samples, len(olds), checked, fetches,
		time.Since(start).Seconds(), *seed)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tlogcheck:", err)
		os.Exit(1)
	}
}
