package vector

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// DB is what the vector storage reads and writes through: a *sql.DB, or
// the *sql.Tx of a write.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Space is the current vector space and its bookkeeping (vector_meta).
type Space struct {
	Model string // the embeddings model, "" before any vector
	Dim   int    // its dimension
	Gen   int64  // bumped by every committed batch of vectors
	// Upto is the passage id up to which every passage has a vector of
	// the space.
	Upto int64
}

// ReadSpace returns the current vector space.
func ReadSpace(ctx context.Context, db DB) (Space, error) {
	var s Space
	err := db.QueryRowContext(ctx, `SELECT model, dim, gen, embedded_upto FROM vector_meta WHERE id = 1`).Scan(&s.Model, &s.Dim, &s.Gen, &s.Upto)
	if err != nil {
		return s, fmt.Errorf("read the vector space: %w", err)
	}
	return s, nil
}

// MissingCond is the SQL condition, over passages aliased p, that holds
// when p has no vector of the space bound to its two parameters (model,
// dim).
const MissingCond = `NOT EXISTS (SELECT 1 FROM passage_vectors v WHERE v.passage_id = p.id AND v.model = ? AND v.dim = ?)`

// Store writes one batch of vectors of model for the passages ids (in id
// order), in db, a write transaction the caller commits; passages removed
// meanwhile are skipped. cursor is the passage id after which the batch
// was chosen. It switches the current space when the vectors are of
// another one (switched, with from the space before), and advances the
// space's Upto only when nothing lowered it since the caller read it.
// next is the passage id after which the next batch starts.
func Store(ctx context.Context, db DB, model string, ids []int64, vecs [][]float32, cursor int64) (next int64, from Space, switched bool, err error) {
	if len(ids) == 0 || len(vecs) != len(ids) {
		return 0, Space{}, false, fmt.Errorf("store vectors: %d vectors for %d passages", len(vecs), len(ids))
	}
	dim := len(vecs[0])
	sp, err := ReadSpace(ctx, db)
	if err != nil {
		return 0, Space{}, false, err
	}
	from = sp
	gen := sp.Gen + 1
	if sp.Model != model || sp.Dim != dim {
		switched = sp.Model != "" || sp.Dim != 0
		sp.Upto = 0
		if _, err := db.ExecContext(ctx, `UPDATE vector_meta SET model = ?, dim = ?, embedded_upto = 0 WHERE id = 1`, model, dim); err != nil {
			return 0, from, false, fmt.Errorf("store vectors: switch the space: %w", err)
		}
	}
	st, err := db.PrepareContext(ctx, `INSERT INTO passage_vectors(passage_id, model, dim, gen, scale, q8, vec)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)
		ON CONFLICT(passage_id) DO UPDATE SET model = excluded.model, dim = excluded.dim, gen = excluded.gen,
			scale = excluded.scale, q8 = excluded.q8, vec = excluded.vec`)
	if err != nil {
		return 0, from, false, fmt.Errorf("store vectors: %w", err)
	}
	defer st.Close()
	for i, id := range ids {
		v := Normalize(vecs[i])
		codes, scale := quantize8(v)
		if _, err := st.ExecContext(ctx, id, model, dim, gen, float64(scale), encodeI8(codes), encodeF32(v), id); err != nil {
			return 0, from, false, fmt.Errorf("store the vector of passage %d: %w", id, err)
		}
	}
	last := ids[len(ids)-1]
	next = last
	switch {
	case switched:
		// The batch was chosen by the old space's vectors: passages
		// before it may still hold those. Look again from the start.
		next = 0
	case sp.Upto == cursor:
		// Every passage up to last now has a vector: those before the
		// batch were skipped by the query because they had one.
		if _, err := db.ExecContext(ctx, `UPDATE vector_meta SET embedded_upto = ? WHERE id = 1`, last); err != nil {
			return 0, from, false, fmt.Errorf("store vectors: advance the mark: %w", err)
		}
	case sp.Upto < cursor:
		// A passage id at or below the cursor was freed and may be reused
		// by a new passage: look again from the lowered mark.
		next = sp.Upto
	}
	if _, err := db.ExecContext(ctx, `UPDATE vector_meta SET gen = ? WHERE id = 1`, gen); err != nil {
		return 0, from, false, fmt.Errorf("store vectors: %w", err)
	}
	return next, from, switched, nil
}

// SetDim makes dim the dimension of the current space when model is its
// model and its dimension differs, so that every passage counts as
// missing a vector; changed reports whether it did.
func SetDim(ctx context.Context, db DB, model string, dim int) (changed bool, err error) {
	res, err := db.ExecContext(ctx, `UPDATE vector_meta SET dim = ?, embedded_upto = 0, gen = gen + 1 WHERE id = 1 AND model = ? AND dim <> ?`, dim, model, dim)
	if err != nil {
		return false, fmt.Errorf("set the vector dimension: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Count returns how many passages have a vector of (model, dim).
func Count(ctx context.Context, db DB, model string, dim int) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM passage_vectors WHERE model = ? AND dim = ?`, model, dim).Scan(&n); err != nil {
		return 0, fmt.Errorf("count vectors: %w", err)
	}
	return n, nil
}

// Load reads every vector of (model, dim) into a new Index: int8 codes
// only, unless they are few enough to keep at full precision. The index's
// Exact re-rank reads float32 vectors from db later, so db is the
// database, not a transaction.
func Load(ctx context.Context, db DB, model string, dim int, opts Options) (*Index, error) {
	idx := New(dim, opts)
	idx.Exact = exactVectors(db, model, dim)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM passage_vectors WHERE model = ? AND dim = ?`, model, dim).Scan(&n); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	if n == 0 {
		return idx, nil
	}
	withFull := n <= opts.exactBelow()
	rows, err := queryVectors(ctx, db, model, dim, -1, withFull)
	if err != nil {
		return nil, err
	}
	idx.ids = make([]int64, 0, n)
	idx.arts = make([]int64, 0, n)
	idx.scales = make([]float32, 0, n)
	idx.codes = make([]int8, 0, n*dim)
	if withFull {
		idx.full = make([]float32, 0, n*dim)
	}
	err = scanVectorRows(rows, dim, withFull, func(pid, aid int64, scale float32, q8, vec []byte) {
		idx.ids = append(idx.ids, pid)
		idx.arts = append(idx.arts, aid)
		idx.scales = append(idx.scales, scale)
		for _, b := range q8 {
			idx.codes = append(idx.codes, int8(b))
		}
		if withFull {
			for i := 0; i+4 <= len(vec); i += 4 {
				idx.full = append(idx.full, math.Float32frombits(binary.LittleEndian.Uint32(vec[i:])))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if !slices.IsSorted(idx.ids) {
		idx.sortByID()
	}
	idx.settle(withFull, nil)
	return idx, nil
}

// Refresh adds to s the vectors of (model, dim) written after generation
// gen.
func Refresh(ctx context.Context, db DB, s Searcher, model string, dim int, gen int64) error {
	idx, fast := s.(*Index)
	withFull := !fast
	if fast {
		idx.mu.RLock()
		withFull = idx.full != nil
		idx.mu.RUnlock()
	}
	rows, err := queryVectors(ctx, db, model, dim, gen, withFull)
	if err != nil {
		return err
	}
	var batch []vecRow
	err = scanVectorRows(rows, dim, withFull, func(pid, aid int64, scale float32, q8, vec []byte) {
		r := vecRow{pid: pid, aid: aid, scale: scale, codes: decodeI8(q8)}
		if withFull {
			r.full = decodeF32(vec)
		}
		batch = append(batch, r)
	})
	if err != nil {
		return err
	}
	if fast {
		idx.upsert(batch)
		return nil
	}
	for _, r := range batch {
		s.Add(r.pid, r.aid, r.full)
	}
	return nil
}

// queryVectors selects the vectors of (model, dim) newer than gen (all
// when gen < 0), with their float32 copy when withFull.
func queryVectors(ctx context.Context, db DB, model string, dim int, gen int64, withFull bool) (*sql.Rows, error) {
	vec := "NULL"
	if withFull {
		vec = "v.vec"
	}
	// A full load scans the table in passage id order, which the index
	// wants; a refresh takes the newer rows through the space index.
	from := "passage_vectors v"
	if gen < 0 && sqldb.Of(db) == sqldb.SQLite { // PostgreSQL's planner chooses the scan itself
		from += " NOT INDEXED"
	}
	rows, err := db.QueryContext(ctx, `SELECT v.passage_id, p.article_id, v.scale, v.q8, `+vec+`
		FROM `+from+` JOIN passages p ON p.id = v.passage_id
		WHERE v.model = ? AND v.dim = ? AND v.gen > ?`, model, dim, gen)
	if err != nil {
		return nil, fmt.Errorf("read vectors: %w", err)
	}
	return rows, nil
}

// scanVectorRows passes each well-formed row to fn; the byte slices are
// valid only during the call.
func scanVectorRows(rows *sql.Rows, dim int, withFull bool, fn func(pid, aid int64, scale float32, q8, vec []byte)) error {
	defer rows.Close()
	var pid, aid int64
	var scale float64
	var q8, vec sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&pid, &aid, &scale, &q8, &vec); err != nil {
			return fmt.Errorf("read vectors: %w", err)
		}
		if len(q8) != dim || (withFull && len(vec) != 4*dim) {
			continue
		}
		fn(pid, aid, float32(scale), q8, vec)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read vectors: %w", err)
	}
	return nil
}

// exactVectors returns the Exact function of an index over (model, dim):
// the float32 vectors read back from db.
func exactVectors(db DB, model string, dim int) func(ctx context.Context, ids []int64) (map[int64][]float32, error) {
	return func(ctx context.Context, ids []int64) (map[int64][]float32, error) {
		out := make(map[int64][]float32, len(ids))
		for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
			part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			// Looked up by primary key only: with model and dim in the
			// WHERE clause SQLite prefers the space index and scans it.
			rows, err := db.QueryContext(ctx, `SELECT passage_id, model, dim, vec FROM passage_vectors WHERE passage_id IN (`+sqlbatch.Placeholders(len(part))+`)`, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				var m string
				var d int
				var b sql.RawBytes
				if err := rows.Scan(&id, &m, &d, &b); err != nil {
					rows.Close()
					return nil, err
				}
				if m == model && d == dim && len(b) == 4*dim {
					out[id] = decodeF32(b)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

func encodeF32(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeF32(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func encodeI8(c []int8) []byte {
	b := make([]byte, len(c))
	for i, v := range c {
		b[i] = byte(v)
	}
	return b
}

func decodeI8(b []byte) []int8 {
	c := make([]int8, len(b))
	for i, v := range b {
		c[i] = int8(v)
	}
	return c
}
