package sqlstore

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func TestEncodeTagTextLeavesNoSeparatorOrWildcard(t *testing.T) {
	for in, want := range map[string]string{
		"prod":      "prod",
		"a b=c":     "a~20b~3Dc",
		"*?[]%_~\\": "~2A~3F~5B~5D~25~5F~7E~5C",
		"中文":        "中文",
	} {
		if got := encodeTagText(in); got != want {
			t.Errorf("encodeTagText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := instanceTagText([]store.Tag{{Key: "z", Value: ""}, {Key: "a b", Value: "1"}}); got != " a~20b=1 z= " {
		t.Errorf("instanceTagText = %q", got)
	}
}

// TestInstancesTaggedBeforeTagTextAreFilledAtStart opens a database whose
// instances have tags but no tag_text (as one written before migration 0010)
// and finds them by tag after the start-up fill.
func TestInstancesTaggedBeforeTagTextAreFilledAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecsd.db")
	db := openSQLiteFile(t, path, Options{})
	ctx := t.Context()
	err := db.Update(ctx, func(tx store.Tx) error {
		in := store.Instance{ID: "i-1", AccountID: 1, RegionID: "cn-hangzhou", Status: "Running", CreatedAt: time.Now().UTC()}
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		return tx.PutTags(1, store.TagTypeInstance, "i-1", []store.Tag{{Key: "env", Value: "prod"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE instances SET tag_text = ''`, `DELETE FROM settings WHERE key = 'sqlstore.instance_tag_text'`} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()
	db = openSQLiteFile(t, path, Options{})
	defer func() { _ = db.Close() }()
	err = db.View(ctx, func(tx store.Tx) error {
		got, n, err := tx.ListInstances(store.InstanceFilter{AccountID: 1, Tags: []store.Tag{{Key: "env", Value: "prod"}}})
		if err != nil || n != 1 || len(got) != 1 {
			t.Errorf("after the fill: %d instances (%v), want i-1", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
