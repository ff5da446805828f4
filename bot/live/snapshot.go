package live

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/avnbot/avnbot/knowledge"
)

// maxSnapshot bounds the bytes read from a knowledge directory, so that a
// stray large file cannot exhaust memory on every reload.
const maxSnapshot = 256 << 20

// snapshot is a knowledge directory read into memory at one moment, so that
// what is checked, hashed and served are the same files even while a
// moderator keeps saving.
type snapshot struct {
	files   fstest.MapFS      // an in-memory fs.FS (the standard one; nothing here is a test)
	sums    map[string]string // path → SHA-256, to tell which files changed
	version string
}

// read snapshots the directory, or the embedded knowledge when dir is "".
func (a *Assistant) read() (snapshot, error) {
	if a.dir == "" {
		return readFS(knowledge.EmbeddedFS())
	}
	if st, err := os.Stat(a.dir); err != nil {
		return snapshot{}, fmt.Errorf("knowledge directory: %w", err)
	} else if !st.IsDir() {
		return snapshot{}, fmt.Errorf("knowledge directory %s: not a directory", a.dir)
	}
	return readFS(os.DirFS(a.dir))
}

// readFS reads the files the loader may read: those at the top and one
// level down (faq/, sources/), following symbolic links, as os.DirFS does.
// Editors' leftovers are skipped: hidden files (swap files, Kubernetes'
// ..data) the loader ignores anyway, and backups ("entry.md~", "#entry.md#")
// that a moderator's editor leaves beside the file being edited.
func readFS(fsys fs.FS) (snapshot, error) {
	s := snapshot{files: fstest.MapFS{}, sums: map[string]string{}}
	total := 0
	add := func(p string) error {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if total += len(data); total > maxSnapshot {
			return fmt.Errorf("the knowledge directory holds more than %d MiB; remove what is not knowledge", maxSnapshot>>20)
		}
		s.files[p] = &fstest.MapFile{Data: data, Mode: 0o444}
		sum := sha256.Sum256(data)
		s.sums[p] = hex.EncodeToString(sum[:])
		return nil
	}
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return snapshot{}, err
	}
	for _, de := range top {
		if skipped(de.Name()) {
			continue
		}
		st, err := fs.Stat(fsys, de.Name())
		if err != nil {
			continue // removed since it was listed, or a broken link
		}
		if !st.IsDir() {
			if err := add(de.Name()); err != nil {
				return snapshot{}, err
			}
			continue
		}
		sub, err := fs.ReadDir(fsys, de.Name())
		if err != nil {
			return snapshot{}, err
		}
		s.files[de.Name()] = &fstest.MapFile{Mode: fs.ModeDir | 0o555}
		for _, f := range sub {
			p := path.Join(de.Name(), f.Name())
			if skipped(f.Name()) {
				continue
			}
			if st, err := fs.Stat(fsys, p); err != nil || st.IsDir() {
				continue // the loader reads no deeper
			}
			if err := add(p); err != nil {
				return snapshot{}, err
			}
		}
	}
	h := sha256.New()
	for _, p := range slices.Sorted(maps.Keys(s.sums)) {
		fmt.Fprintf(h, "%s\x00%s\x00", p, s.sums[p])
	}
	s.version = hex.EncodeToString(h.Sum(nil))[:12]
	return s, nil
}

func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#")
}

// changed lists the files added, removed or changed from old to new.
func changed(old, new snapshot) []string {
	var out []string
	for p, sum := range new.sums {
		if old.sums[p] != sum {
			out = append(out, p)
		}
	}
	for p := range old.sums {
		if _, ok := new.sums[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
