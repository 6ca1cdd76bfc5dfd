package keystore

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// RunGenerate creates a keyring file at path with one active key (id, or a
// generated one if empty). It refuses to overwrite an existing file, since that
// would make every payload sealed with it unreadable.
func RunGenerate(w io.Writer, path, id string) error {
	kr, err := Generate(id)
	if err != nil {
		return err
	}
	if err := kr.writeFile(path, false); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "Wrote keyring %s (mode %s) with active key %s.\n"+
		"Anyone who can read this file can read every payload sealed with it.\n",
		path, fileMode(path), kr.Active().ID)
	return err
}

// RunRotate adds a new active key (id, or a generated one if empty) to the
// keyring file at path; the old active key becomes decrypt-only.
func RunRotate(w io.Writer, path, id string) error {
	kr, err := LoadFile(path)
	if err != nil {
		return err
	}
	old := kr.Active().ID
	if err := kr.Rotate(id); err != nil {
		return err
	}
	if err := kr.WriteFile(path); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "Rotated keyring %s (mode %s): %s is active, %s is decrypt-only.\n"+
		"Deploy it to workers before producers, so workers can open the new key's payloads.\n",
		path, fileMode(path), kr.Active().ID, old)
	return err
}

// RunRetire retires key id in the keyring file at path: payloads sealed with it
// will no longer open.
func RunRetire(w io.Writer, path, id string) error {
	kr, err := LoadFile(path)
	if err != nil {
		return err
	}
	if err := kr.Retire(id); err != nil {
		return fmt.Errorf("keyring file %s: %w", path, err)
	}
	if err := kr.WriteFile(path); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "Retired key %s in keyring %s (mode %s); "+
		"tasks sealed with it will fail to open.\n", id, path, fileMode(path))
	return err
}

// RunList prints the keys of the keyring at src as a table of ID, STATE and
// CREATED. It never prints secret material.
func RunList(w io.Writer, src Source) error {
	kr, err := Load(src)
	if err != nil {
		return err
	}
	where := src.String()
	if src.File != "" {
		where += " (mode " + fileMode(src.File) + ")"
	}
	if _, err := fmt.Fprintln(w, where); err != nil {
		return err
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCREATED")
	for _, k := range kr.Keys() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k.ID, k.State, createdText(k.Created))
	}
	return tw.Flush()
}

func createdText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// fileMode is the file's permission bits as 0600, or "unknown".
func fileMode(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%04o", st.Mode().Perm())
}
