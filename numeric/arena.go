package numeric

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// arena hands out small matrices carved from shared slabs: an evaluation
// of many small nodes (a check evaluates tens of thousands of 3×3 values
// per draw) then makes a few allocations per slab instead of two per value,
// and the garbage collector sees a few large objects instead of many small
// ones.
//
// An arena reuses memory it has handed out only after reset (or rewind to
// a mark, for what it handed out since): until then a matrix from it stays
// valid for as long as anyone holds it (the slab it lies in is freed by
// the garbage collector when no matrix in it is referenced), so handing
// one out is as safe as allocating it. reset hands the same slabs out
// again, in the same order (a session resets at each draw, when nothing of
// the previous draw is referenced), so that a check allocates its slabs
// once rather than once per draw; each matrix is zeroed as it is handed
// out. Matrices of more
// than arenaMaxEntries entries are allocated on their own, so that a slab
// never keeps a large value alive. The zero value is ready to use. An
// arena belongs to one call (a session or one Eval): it is not safe for
// concurrent use.
type arena struct {
	heads []mat.Dense // the unused headers of the current slab
	data  []float64   // the unused entries of the current slab
	slab  int         // entries of the next data slab
	// dataSlabs and headSlabs are every slab allocated, in order; the
	// first nextData and nextHead of them are in use since the last reset.
	dataSlabs          [][]float64
	headSlabs          [][]mat.Dense
	nextData, nextHead int
	// ipiv and work are scratch space of quickInverse, reused by every
	// call (nothing outlives the call that uses them).
	ipiv []int
	work []float64
}

const (
	// arenaMaxEntries is the largest matrix an arena carves from a slab.
	arenaMaxEntries = 64
	// arenaMinSlab and arenaMaxSlab bound the entries of a data slab: an
	// arena starts small (an Eval of a few nodes) and doubles its slabs up
	// to arenaMaxSlab.
	arenaMinSlab = 256
	arenaMaxSlab = 1 << 14
	// arenaHeads is the number of headers of a header slab.
	arenaHeads = 256
)

// zeros returns a new r×c matrix of zeros (r, c ≥ 1), with stride c, which
// shares no entries with any other matrix. A nil arena allocates it on its
// own.
func (a *arena) zeros(r, c int) *mat.Dense {
	n := r * c
	if a == nil || n > arenaMaxEntries {
		return mat.NewDense(r, c, nil)
	}
	if len(a.data) < n {
		if a.nextData == len(a.dataSlabs) {
			a.slab = min(max(2*a.slab, arenaMinSlab), arenaMaxSlab)
			a.dataSlabs = append(a.dataSlabs, make([]float64, a.slab))
		}
		a.data = a.dataSlabs[a.nextData]
		a.nextData++
	}
	if len(a.heads) == 0 {
		if a.nextHead == len(a.headSlabs) {
			a.headSlabs = append(a.headSlabs, make([]mat.Dense, arenaHeads))
		}
		a.heads = a.headSlabs[a.nextHead]
		a.nextHead++
	}
	m := &a.heads[0]
	a.heads = a.heads[1:]
	// The full slice expression caps the entries, so that nothing can grow
	// into the next matrix's.
	data := a.data[:n:n]
	clear(data) // memory handed out before a reset or rewind
	m.SetRawMatrix(blas64.General{Rows: r, Cols: c, Stride: c, Data: data})
	a.data = a.data[n:]
	return m
}

// reset makes every matrix the arena has handed out invalid: their
// memory is handed out again. The caller must hold none of them.
func (a *arena) reset() {
	a.heads, a.data, a.nextData, a.nextHead = nil, nil, 0, 0
}

// arenaMark is the state of an arena at a point, to go back to (rewind).
type arenaMark struct {
	heads              []mat.Dense
	data               []float64
	nextData, nextHead int
}

// mark returns the arena's state now.
func (a *arena) mark() arenaMark {
	return arenaMark{heads: a.heads, data: a.data, nextData: a.nextData, nextHead: a.nextHead}
}

// rewind makes every matrix the arena has handed out since m was marked
// invalid: their memory is handed out again. The caller must hold none of
// them; those handed out before m stay valid.
func (a *arena) rewind(m arenaMark) {
	a.heads, a.data, a.nextData, a.nextHead = m.heads, m.data, m.nextData, m.nextHead
}

// scratch returns an int slice of length n and a float64 slice of length
// w, both reused by the next call of scratch (a nil arena allocates them).
func (a *arena) scratch(n, w int) ([]int, []float64) {
	if a == nil {
		return make([]int, n), make([]float64, w)
	}
	if cap(a.ipiv) < n {
		a.ipiv = make([]int, n)
	}
	if cap(a.work) < w {
		a.work = make([]float64, w)
	}
	return a.ipiv[:n], a.work[:w]
}

// copyOf returns a new matrix with the entries of x (as mat.DenseCopyOf,
// for a *mat.Dense or a transpose of one).
func (a *arena) copyOf(x mat.Matrix) *mat.Dense {
	r, c := x.Dims()
	m := a.zeros(r, c)
	m.Copy(x)
	return m
}

// scalar returns a new 1×1 matrix holding v.
func (a *arena) scalar(v float64) *mat.Dense {
	m := a.zeros(1, 1)
	m.RawMatrix().Data[0] = v
	return m
}

// mapped returns f applied to every entry of x, as dense.Map does.
func (a *arena) mapped(x *mat.Dense, f func(float64) float64) *mat.Dense {
	r, c := x.Dims()
	m := a.zeros(r, c)
	src, dst := x.RawMatrix(), m.RawMatrix()
	for i := 0; i < r; i++ {
		row := src.Data[i*src.Stride : i*src.Stride+c]
		out := dst.Data[i*dst.Stride : i*dst.Stride+c]
		for j, v := range row {
			out[j] = f(v)
		}
	}
	return m
}

// product returns x·y, a new matrix (the caller has checked that they
// conform): mulSmall for small operands, else mat.Dense.Mul.
func (a *arena) product(x, y *mat.Dense) *mat.Dense {
	r, k := x.Dims()
	_, c := y.Dims()
	m := a.zeros(r, c)
	if r*k*c <= maxSmallMul && r <= 64 && c <= 64 {
		mulSmall(m, x, y)
	} else {
		m.Mul(x, y)
	}
	return m
}

// maxSmallMul is the most multiply-adds (r·k·c) of a product that mulSmall
// computes; gonum's own call overhead is then larger than the arithmetic.
const maxSmallMul = 4096

// mulSmall sets dst, a zero matrix of the right size, to x·y with exactly
// the arithmetic of mat.Dense.Mul for untransposed operands no larger than
// 64×64 (gonum's serial Dgemm, dgemmSerialNotNot): row i of the result
// accumulates x_il·y_l· over l in order, each product rounded before it is
// added (float64 conversions forbid a fused multiply-add, as gonum's
// assembly has none), skipping the l where x_il is zero. The result is
// therefore bit for bit that of Mul, NaN and signed zeros included.
func mulSmall(dst, x, y *mat.Dense) {
	xr, yr, dr := x.RawMatrix(), y.RawMatrix(), dst.RawMatrix()
	for i := 0; i < xr.Rows; i++ {
		out := dr.Data[i*dr.Stride : i*dr.Stride+dr.Cols]
		for l, v := range xr.Data[i*xr.Stride : i*xr.Stride+xr.Cols] {
			if v == 0 {
				continue
			}
			row := yr.Data[l*yr.Stride : l*yr.Stride+yr.Cols]
			for j, w := range row {
				out[j] += float64(v * w)
			}
		}
	}
}
