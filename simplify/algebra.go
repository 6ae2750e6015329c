package simplify

import (
	"math/big"
	"slices"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// addCollect flattens a sum, collects like terms (cA + dA = (c+d)A) and
// orders the terms (positive first, then ast.Compare). The rows after it in
// the table pull out common factors of the collected terms: a common
// coefficient (2A − 2B = 2(A − B)), a common scalar factor, and a common
// leftmost or rightmost matrix factor (AB + AC = A(B + C)).
func (sf *Simplifier) addCollect(n *ast.Node) *ast.Node {
	type group struct {
		c    *big.Rat
		body *ast.Node
		term *ast.Node // the group's only term; nil once it has two
	}
	var groups []*group
	index := map[*ast.Node]*group{}
	var add func(t *ast.Node)
	add = func(t *ast.Node) {
		if t.Kind == ast.KAdd {
			for _, a := range t.Args {
				add(a)
			}
			return
		}
		if t.Kind == ast.KZero || t.IsNum(0) {
			return
		}
		c, body := split(t)
		if g, ok := index[body]; ok {
			g.c = new(big.Rat).Add(g.c, c)
			g.term = nil
			return
		}
		g := &group{c: c, body: body, term: t}
		index[body] = g
		groups = append(groups, g)
	}
	for _, a := range n.Args {
		add(a)
	}
	// Each term's sign and body, computed once: split builds a node.
	type key struct {
		term *ast.Node
		neg  bool
		body *ast.Node
	}
	var keys []key
	for _, g := range groups {
		switch {
		case g.c.Sign() == 0:
		case g.term != nil && sf.memo.m[g.term] == g.term: // alone and canonical: as it is
			keys = append(keys, key{g.term, g.c.Sign() < 0, g.body})
		default:
			t := sf.scaled(g.c, g.body, n.Shape)
			_, body := split(t)
			keys = append(keys, key{t, negative(t), body})
		}
	}
	switch len(keys) {
	case 0:
		return zero(n.Shape)
	case 1:
		return keys[0].term
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		if a.neg != b.neg {
			if a.neg {
				return 1
			}
			return -1
		}
		if a.body == nil || b.body == nil {
			if a.body == b.body {
				return 0
			}
			if a.body == nil {
				return -1
			}
			return 1
		}
		return ast.Compare(a.body, b.body)
	})
	terms := make([]*ast.Node, len(keys))
	for i, k := range keys {
		terms[i] = k.term
	}
	return ast.Add(terms...)
}

// canonicalSign returns −(−a − b …) for a sum that is not in canonical sign:
// a sum has more positive than negative terms, or as many and its largest
// term (by ast.Compare) positive, so that x − m and m − x = −(x − m) are
// recognised as one sum, and B·X − Y is preferred to Y − B·X.
func (sf *Simplifier) canonicalSign(terms []*ast.Node) *ast.Node {
	pos, neg := 0, 0
	for _, t := range terms {
		if negative(t) {
			neg++
		} else {
			pos++
		}
	}
	flip := neg > pos
	if neg == pos { // the sign of the largest body decides; split builds the bodies
		var largest *ast.Node
		for _, t := range terms {
			if _, b := split(t); b != nil && (largest == nil || ast.Compare(b, largest) >= 0) {
				largest, flip = b, negative(t)
			}
		}
	}
	if !flip {
		return nil
	}
	out := make([]*ast.Node, len(terms))
	for i, t := range terms {
		if m := negatedTerm(t); m != nil {
			out[i] = sf.known(m)
			continue
		}
		c, body := split(t)
		out[i] = sf.scaled(new(big.Rat).Neg(c), body, t.Shape)
	}
	return sf.simplify(ast.Mul(ast.Int(-1), sf.simplify(ast.Add(out...))))
}

// negatedTerm returns −t for a canonical product t, itself canonical, when
// that takes no rewriting but of the coefficient: c·f₁·…·f_k is
// (−c)·f₁·…·f_k, f₁·…·f_k for c = −1, and a product without a number is
// (−1)·f₁·…·f_k. It returns nil for any other term. Negating every term of
// a long sum (canonicalSign) then costs a node per term rather than a
// simplification of each; TestCanonicalIdempotent proves the result a
// fixed point on every suite.
func negatedTerm(t *ast.Node) *ast.Node {
	if t.Kind != ast.KMul || len(t.Args) < 2 {
		return nil
	}
	if c := t.Args[0]; c.Kind == ast.KNum {
		if c.IsNum(-1) {
			if len(t.Args) == 2 {
				return nil // the lone factor may be a sum or a number, whose negation is not a product
			}
			return ast.Mul(t.Args[1:]...)
		}
		args := slices.Clone(t.Args)
		args[0] = ast.Number(new(big.Rat).Neg(c.Num))
		return ast.Mul(args...)
	}
	return ast.Mul(append([]*ast.Node{ast.Int(-1)}, t.Args...)...)
}

// negative reports whether a term has a negative coefficient.
func negative(t *ast.Node) bool { return coefficient(t).Sign() < 0 }

// commonCoefficient pulls out a coefficient shared by every term: all equal
// in absolute value (≠ 1), or all negative.
func (sf *Simplifier) commonCoefficient(terms []*ast.Node, s ast.Shape) *ast.Node {
	c0, _ := split(terms[0])
	abs := new(big.Rat).Abs(c0)
	same, allNeg := true, true
	for _, t := range terms {
		c, _ := split(t)
		if new(big.Rat).Abs(c).Cmp(abs) != 0 {
			same = false
		}
		if c.Sign() > 0 {
			allNeg = false
		}
	}
	f := one()
	if same {
		f = abs
	}
	if allNeg {
		f = new(big.Rat).Neg(f)
	}
	if ast.IsOne(f) {
		return nil
	}
	inv := new(big.Rat).Inv(f)
	rest := make([]*ast.Node, len(terms))
	for i, t := range terms {
		c, body := split(t)
		rest[i] = sf.scaled(new(big.Rat).Mul(c, inv), body, s)
	}
	return sf.simplify(ast.Mul(ast.Number(f), sf.simplify(ast.Add(rest...))))
}

// mayShareFactor reports whether commonFactor may apply to terms: a scalar
// factor of the first term is a factor of every term, or every term's chain
// has two or more factors and they all begin (or all end) with one factor.
// It reads the terms in place, where commonFactor takes each apart: a sum
// of L chains of L factors usually shares nothing.
func mayShareFactor(terms []*ast.Node) bool {
	body := func(t *ast.Node) []*ast.Node {
		switch {
		case t.Kind == ast.KMul && len(t.Args) > 0 && t.Args[0].Kind == ast.KNum:
			return t.Args[1:]
		case t.Kind == ast.KMul:
			return t.Args
		case t.Kind == ast.KNum:
			return nil
		}
		return []*ast.Node{t}
	}
	bodies := make([][]*ast.Node, len(terms))
	for i, t := range terms {
		bodies[i] = body(t)
	}
	for _, cand := range bodies[0] {
		if !cand.IsScalar() {
			continue
		}
		all := true
		for _, b := range bodies[1:] {
			if !slices.Contains(b, cand) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	// The first (left) or last matrix factor of a body, and whether its
	// chain has two or more.
	end := func(b []*ast.Node, left bool) (*ast.Node, bool) {
		var f *ast.Node
		n := 0
		for i := range b {
			a := b[i]
			if !left {
				a = b[len(b)-1-i]
			}
			if a.IsScalar() {
				continue
			}
			if n++; n == 1 {
				f = a
			} else {
				return f, true
			}
		}
		return f, false
	}
	for _, left := range []bool{true, false} {
		f, ok := end(bodies[0], left)
		for _, b := range bodies[1:] {
			if !ok {
				break
			}
			g, long := end(b, left)
			ok = long && g == f
		}
		if ok {
			return true
		}
	}
	return false
}

// factors returns a term's scalar factors and matrix chain (coefficient dropped).
func factors(t *ast.Node) (c *big.Rat, scalars, chain []*ast.Node) {
	c, body := split(t)
	if body == nil {
		return c, nil, nil
	}
	if body.Kind != ast.KMul {
		if body.IsScalar() {
			return c, []*ast.Node{body}, nil
		}
		return c, nil, []*ast.Node{body}
	}
	for _, a := range body.Args {
		if a.IsScalar() {
			scalars = append(scalars, a)
		} else {
			chain = append(chain, a)
		}
	}
	return c, scalars, chain
}

// isProduct reports whether n is the product that product(c, scalars,
// chain) builds.
func isProduct(n *ast.Node, c *big.Rat, scalars, chain []*ast.Node) bool {
	if n.Kind != ast.KMul {
		return false
	}
	args := n.Args
	if !ast.IsOne(c) {
		if len(args) == 0 || args[0].Kind != ast.KNum || args[0].Num.Cmp(c) != 0 {
			return false
		}
		args = args[1:]
	}
	if len(args) != len(scalars)+len(chain) || len(n.Args) < 2 {
		return false
	}
	return slices.Equal(args[:len(scalars)], scalars) && slices.Equal(args[len(scalars):], chain)
}

func product(c *big.Rat, scalars, chain []*ast.Node) *ast.Node {
	var f []*ast.Node
	if !ast.IsOne(c) {
		f = append(f, ast.Number(c))
	}
	f = append(append(f, scalars...), chain...)
	switch len(f) {
	case 0:
		return ast.Number(c)
	case 1:
		return f[0]
	}
	return ast.Mul(f...)
}

// commonFactor pulls out a scalar factor shared by every term, or a matrix
// factor that begins (or ends) every term's chain, when each term keeps a
// non-empty rest: Ax + Aᵀx = (A + Aᵀ)x.
func (sf *Simplifier) commonFactor(terms []*ast.Node, s ast.Shape) *ast.Node {
	if !mayShareFactor(terms) {
		return nil
	}
	type parts struct {
		c              *big.Rat
		scalars, chain []*ast.Node
	}
	ps := make([]parts, len(terms))
	for i, t := range terms {
		c, sc, ch := factors(t)
		ps[i] = parts{c, sc, ch}
	}
	// A common scalar factor.
	for _, cand := range ps[0].scalars {
		ok := true
		for _, p := range ps[1:] {
			if !slices.Contains(p.scalars, cand) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		rest := make([]*ast.Node, len(ps))
		for i, p := range ps {
			sc := slices.Clone(p.scalars)
			sc = slices.Delete(sc, slices.Index(sc, cand), slices.Index(sc, cand)+1)
			if len(sc) == 0 && len(p.chain) == 0 {
				rest[i] = ast.Number(p.c)
				if !s.IsScalar() {
					return nil
				}
			} else {
				rest[i] = product(p.c, sc, p.chain)
			}
		}
		return sf.simplify(ast.Mul(cand, sf.simplify(ast.Add(rest...))))
	}
	// A common leftmost or rightmost matrix factor.
	for _, left := range []bool{true, false} {
		var f *ast.Node
		ok := true
		for _, p := range ps {
			if len(p.chain) < 2 {
				ok = false
				break
			}
			g := p.chain[len(p.chain)-1]
			if left {
				g = p.chain[0]
			}
			if f == nil {
				f = g
			} else if f != g {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		rest := make([]*ast.Node, len(ps))
		for i, p := range ps {
			ch := p.chain[:len(p.chain)-1]
			if left {
				ch = p.chain[1:]
			}
			rest[i] = product(p.c, p.scalars, ch)
			if len(p.scalars) == 0 && len(ch) >= 2 && sf.memo.m[terms[i]] == terms[i] {
				// The rest of a canonical chain of matrices without its
				// end factor is canonical: the chain's rules look at
				// neighbours, and the rest's neighbours are the chain's.
				rest[i] = sf.known(rest[i])
			}
		}
		if left {
			return sf.simplify(ast.Mul(f, sf.simplify(ast.Add(rest...))))
		}
		return sf.simplify(ast.Mul(sf.simplify(ast.Add(rest...)), f))
	}
	return nil
}

// simplifyMul flattens a product, folds its numbers, gathers its scalar
// factors in front (A·(s·B) = s·(A·B)), merges powers of equal scalar
// factors (s·s = s²), drops identities, cancels A·A⁻¹, and makes the
// coefficient positive where that removes a minus sign from a sum factor:
// −2(Y − BX) = 2(BX − Y).
func (sf *Simplifier) simplifyMul(n *ast.Node) *ast.Node {
	c := one()
	var scalars []*ast.Node
	chain := make([]*ast.Node, 0, len(n.Args))
	var add func(a *ast.Node, inChain bool)
	add = func(a *ast.Node, inChain bool) {
		switch {
		case a.Kind == ast.KNum:
			c.Mul(c, a.Num)
		case a.Kind == ast.KMul && !a.IsScalar():
			for _, f := range a.Args {
				add(f, true)
			}
		case a.Kind == ast.KMul: // a scalar product: keep its chain as one factor
			var sub []*ast.Node
			for _, f := range a.Args {
				switch {
				case f.Kind == ast.KNum:
					c.Mul(c, f.Num)
				case f.IsScalar():
					scalars = append(scalars, f)
				default:
					sub = append(sub, f)
				}
			}
			if len(sub) > 0 {
				scalars = append(scalars, ast.Mul(sub...))
			}
		case a.IsScalar():
			scalars = append(scalars, a)
		case a.Kind == ast.KIdentity:
			chain = append(chain, a) // dropped below unless it is all that is left
		case a.Kind == ast.KBroadcast && a.Args[0].IsScalar(): // s broadcast = s·𝟙
			add(a.Args[0], false)
			chain = append(chain, ast.Ones(a.Shape))
		case a.Kind == ast.KBroadcast && a.Args[0].Shape.Cols == ast.One: // a column c repeated = c·𝟙ᵀ
			chain = append(chain, a.Args[0], ast.Ones(ast.Shape{Rows: ast.One, Cols: a.Shape.Cols}))
		case a.Kind == ast.KBroadcast: // a row r repeated = 𝟙·r
			chain = append(chain, ast.Ones(ast.Shape{Rows: a.Shape.Rows, Cols: ast.One}), a.Args[0])
		default:
			chain = append(chain, a)
		}
	}
	for _, a := range n.Args {
		add(a, false)
	}
	if c.Sign() == 0 {
		return zero(n.Shape)
	}
	if merged := sf.mergePowers(scalars); !slices.Equal(merged, scalars) &&
		sf.rewrote("mul-merge-powers", product(one(), scalars, nil), product(one(), merged, nil)) {
		scalars = merged
	}
	chain = sf.cancelChain(chain)
	if len(chain) == 0 && !n.IsScalar() {
		chain = []*ast.Node{ast.Identity(n.Shape.Rows)}
	}
	if i := slices.IndexFunc(chain, (*ast.Node).IsScalar); i >= 0 { // a pair cancelled to a scalar
		return sf.simplify(ast.Mul(append(append([]*ast.Node{ast.Number(c)}, scalars...), chain...)...))
	}
	if n.IsScalar() && len(chain) > 0 {
		chain = sf.orientScalarChain(chain)
	}
	slices.SortStableFunc(scalars, ast.Compare)
	if isProduct(n, c, scalars, chain) {
		return n // already in this form: nothing to build
	}
	r := product(c, scalars, chain)
	if r.Kind == ast.KMul && len(r.Args) > 0 && r.Args[0].Kind == ast.KNum && len(r.Args) == 2 && r.Args[1].Kind == ast.KBroadcast {
		b := r.Args[1]
		return ast.Broadcast(sf.simplify(ast.Mul(r.Args[0], b.Args[0])), b.Shape)
	}
	return r
}

// mergePowers multiplies equal scalar bases: s·s⁻¹ = 1, s^a·s^b = s^(a+b),
// also for a symbolic exponent: d^(n−1)·d = dⁿ.
func (sf *Simplifier) mergePowers(fs []*ast.Node) []*ast.Node {
	type pw struct {
		base *ast.Node
		e    *big.Rat    // the numeric part of the exponent
		sym  []*ast.Node // its symbolic terms
		n    int         // factors merged
		orig *ast.Node
	}
	var ps []*pw
	idx := map[*ast.Node]*pw{}
	for _, f := range fs {
		base, e := f, one()
		var sym *ast.Node
		if f.Kind == ast.KPow && f.Args[1].Kind == ast.KNum {
			base, e = f.Args[0], f.Args[1].Num
		} else if f.Kind == ast.KPow && f.IsScalar() {
			base, e, sym = f.Args[0], new(big.Rat), f.Args[1]
		}
		p, ok := idx[base]
		if !ok {
			p = &pw{base: base, e: new(big.Rat), orig: f}
			idx[base] = p
			ps = append(ps, p)
		}
		p.e.Add(p.e, e)
		if sym != nil {
			p.sym = append(p.sym, sym)
		}
		p.n++
	}
	var out []*ast.Node
	for _, p := range ps {
		switch {
		case len(p.sym) > 0 && p.n == 1:
			out = append(out, p.orig)
		case len(p.sym) > 0:
			exp := p.sym
			if p.e.Sign() != 0 {
				exp = append([]*ast.Node{ast.Number(p.e)}, exp...)
			}
			out = append(out, sf.simplify(ast.Pow(p.base, sf.simplify(ast.Add(exp...)))))
		case p.e.Sign() == 0:
		case ast.IsOne(p.e):
			out = append(out, p.base)
		default:
			out = append(out, sf.simplify(ast.Pow(p.base, ast.Number(p.e))))
		}
	}
	return out
}

// cancelChain drops identities and adjacent A·A⁻¹ pairs from a matrix
// chain, merges adjacent powers of one square matrix across inverses
// (A·A² = A³, A²·A⁻¹ = A, (A⁻¹)³·A = (A⁻¹)²), and splits the inverse of
// a product of square factors, (B·C)⁻¹ = C⁻¹·B⁻¹, where a neighbour then
// cancels or merges with one of its factors.
func (sf *Simplifier) cancelChain(chain []*ast.Node) []*ast.Node {
	out := make([]*ast.Node, 0, len(chain))
	todo := slices.Clone(chain)
	for len(todo) > 0 {
		f := todo[0]
		todo = todo[1:]
		if f.Kind == ast.KIdentity {
			continue
		}
		if k := len(out); k > 0 {
			if parts := splitInverse(f); parts != nil && sameBase(out[k-1], parts[0]) && sf.rewrote("mul-split-inverse", f, ast.Mul(parts...)) {
				todo = append(sf.inverses(parts), todo...)
				continue
			}
			if parts := splitInverse(out[k-1]); parts != nil && sameBase(parts[len(parts)-1], f) && sf.rewrote("mul-split-inverse", out[k-1], ast.Mul(parts...)) {
				todo = append(append(sf.inverses(parts), f), todo...)
				out = out[:k-1]
				continue
			}
		}
		if k := len(out); k > 0 && out[k-1].Is(builtin.DiagMat) && f.Shape.Cols == ast.One && f.Kind != ast.KOnes {
			h := sf.simplify(ast.Hadamard(out[k-1].Args[0], f)) // diag(a)·b = a ⊙ b for a column b
			if sf.rewrote("mul-diag-vector", ast.Mul(out[k-1], f), h) {
				out[k-1] = h
				continue
			}
		}
		if k := len(out); k > 0 && out[k-1].Is(builtin.DiagMat) && f.Kind == ast.KOnes && f.Shape.Cols == ast.One &&
			sf.rewrote("mul-diag-ones", ast.Mul(out[k-1], f), out[k-1].Args[0]) { // diag(a)·𝟙 = a
			out[k-1] = out[k-1].Args[0]
			continue
		}
		if k := len(out); k > 0 {
			if d := sf.columnSums(out[k-1], f); d != nil && sf.rewrote("mul-ones-hadamard", ast.Mul(out[k-1], f), d) {
				out[k-1] = d
				continue
			}
		}
		if k := len(out); k > 0 && out[k-1].Kind == ast.KOnes && out[k-1].Shape.Rows == ast.One && f.Is(builtin.DiagMat) &&
			sf.rewrote("mul-diag-ones", ast.Mul(out[k-1], f), ast.Transpose(f.Args[0])) { // 𝟙ᵀ·diag(a) = aᵀ
			out[k-1] = sf.transpose(f.Args[0])
			continue
		}
		if k := len(out); k > 0 && inversePair(out[k-1], f) && sf.rewrote("mul-inverse-pair", ast.Mul(out[k-1], f), ast.Identity(f.Shape.Cols)) {
			out = out[:k-1]
			continue
		}
		if k := len(out); k > 0 && out[k-1].Kind == ast.KOnes && f.Kind == ast.KOnes { // 𝟙ₐₓₖ·𝟙ₖₓᵦ = k·𝟙ₐₓᵦ
			ones := ast.Ones(ast.Shape{Rows: out[k-1].Shape.Rows, Cols: f.Shape.Cols})
			if sf.rewrote("mul-ones-ones", ast.Mul(out[k-1], f), ast.Mul(ast.Size(f.Shape.Rows), ones)) {
				out[k-1] = ones
				out = append(out, ast.Size(f.Shape.Rows))
				continue
			}
		}
		if k := len(out); k > 0 && softmaxTotal(out[k-1], f) && sf.rewrote("mul-softmax-total", ast.Mul(out[k-1], f), ast.Int(1)) { // 𝟙ᵀ·softmax(x) = 1
			out[k-1] = ast.Int(1)
			continue
		}
		if k := len(out); k > 0 {
			if s := sf.sumOfRatio(out[k-1], f); s != nil && sf.rewrote("mul-sum-of-ratio", ast.Mul(out[k-1], f), s) { // aᵀ·(b ⊘ a) = sum(b)
				out[k-1] = s
				continue
			}
		}
		if k := len(out); k > 0 && out[k-1].Is(builtin.DiagMat) && f.Is(builtin.DiagMat) { // diag(a)·diag(b) = diag(a ⊙ b)
			d := sf.simplify(builtin.DiagMat.Of(ast.Hadamard(out[k-1].Args[0], f.Args[0])))
			if sf.rewrote("mul-diag-diag", ast.Mul(out[k-1], f), d) {
				out[k-1] = d
				continue
			}
		}
		if k := len(out); k > 0 {
			if s := sf.kronPair(out[k-1], f); s != nil && sf.rewrote("mul-kron", ast.Mul(out[k-1], f), s) { // vec and ⊗ identities
				out[k-1] = s
				continue
			}
		}
		if k := len(out); k > 0 {
			b1, e1 := matBase(out[k-1])
			b2, e2 := matBase(f)
			if b1 == b2 && b1.Shape.IsSquare() && e1+e2 <= ast.MaxMatPow { // a power's differential has k terms: merged only up to MaxMatPow
				p := signedPow(b1, e1+e2)
				if sf.rewrote("mul-merge-matpow", ast.Mul(out[k-1], f), p) {
					out = out[:k-1]
					if p.Kind != ast.KIdentity {
						todo = append([]*ast.Node{p}, todo...)
					}
					continue
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// columnSums returns diag(Aᵀ·B)ᵀ for x·y = 𝟙ᵀ·(A ⊙ B) and diag(Aᵀ·B) for
// x·y = (A ⊙ B)ᵀ·𝟙 (the column sums Σᵢ Aᵢⱼ·Bᵢⱼ), for matrices A and B
// without Δ (a linear form keeps its Δ where the gradient reads it), and
// nil otherwise.
func (sf *Simplifier) columnSums(x, y *ast.Node) *ast.Node {
	had := func(h *ast.Node) bool {
		return h.Kind == ast.KHadamard && len(h.Args) == 2 && h.Shape.Cols != ast.One && h.Shape.Rows != ast.One && !h.HasDelta()
	}
	sums := func(h *ast.Node) *ast.Node {
		return builtin.DiagVec.Of(ast.Mul(ast.Transpose(h.Args[0]), h.Args[1]))
	}
	switch {
	case x.Kind == ast.KOnes && x.Shape.Rows == ast.One && had(y):
		return sf.simplify(ast.Transpose(sums(y)))
	case y.Kind == ast.KOnes && y.Shape.Cols == ast.One && x.Kind == ast.KTranspose && had(x.Args[0]):
		return sf.simplify(sums(x.Args[0]))
	}
	return nil
}

// matBase returns A and k for a power Aᵏ of a matrix that is not an
// inverse: Aᵏ, A⁻¹ (k = −1), (A⁻¹)ᵏ (−k), and A (k = 1) for a factor that
// is not a power.
func matBase(f *ast.Node) (*ast.Node, int) {
	switch {
	case f.Kind == ast.KMatPow && f.Args[0].Kind == ast.KInverse:
		return f.Args[0].Args[0], -f.K
	case f.Kind == ast.KMatPow:
		return f.Args[0], f.K
	case f.Kind == ast.KInverse:
		return f.Args[0], -1
	}
	return f, 1
}

// signedPow builds Aᵏ for a square A and any integer k: I, A, A⁻¹, Aᵏ, (A⁻¹)⁻ᵏ.
func signedPow(a *ast.Node, k int) *ast.Node {
	switch {
	case k == 0:
		return ast.Identity(a.Shape.Rows)
	case k == 1:
		return a
	case k == -1:
		return ast.Inverse(a)
	case k < 0:
		return ast.MatPow(ast.Inverse(a), -k)
	}
	return ast.MatPow(a, k)
}

// sameBase reports whether f and g are powers of one square matrix.
func sameBase(f, g *ast.Node) bool {
	a, _ := matBase(f)
	b, _ := matBase(g)
	return a == b && a.Shape.IsSquare()
}

// splitInverse returns the factors C, …, B of (B·…·C)⁻¹ in the order of
// their inverses, C⁻¹·…·B⁻¹, when f is the inverse of a product of square
// matrices (each then invertible), and nil otherwise.
func splitInverse(f *ast.Node) []*ast.Node {
	if f.Kind != ast.KInverse || f.Args[0].Kind != ast.KMul {
		return nil
	}
	fs := f.Args[0].Args
	out := make([]*ast.Node, len(fs))
	for i, g := range fs {
		if g.IsScalar() || !g.Shape.IsSquare() {
			return nil
		}
		out[len(fs)-1-i] = g
	}
	return out
}

// inverses returns the canonical inverses of fs.
func (sf *Simplifier) inverses(fs []*ast.Node) []*ast.Node {
	out := make([]*ast.Node, len(fs))
	for i, g := range fs {
		out[i] = sf.simplify(ast.Inverse(g))
	}
	return out
}

// softmaxTotal reports whether x·y is 𝟙ᵀ·softmax(v) or softmax(v)ᵀ·𝟙, which is 1.
func softmaxTotal(x, y *ast.Node) bool {
	return x.Kind == ast.KOnes && x.Shape.Rows == ast.One && y.Is(builtin.Softmax) ||
		x.Kind == ast.KTranspose && x.Args[0].Is(builtin.Softmax) && y.Kind == ast.KOnes && y.Shape.Cols == ast.One
}

// sumOfRatio returns sum(b) when x·y is aᵀ·(b ⊘ a) or (b ⊘ a)ᵀ·a for a
// column a (Σᵢ aᵢ·bᵢ/aᵢ), else nil.
func (sf *Simplifier) sumOfRatio(x, y *ast.Node) *ast.Node {
	if x.Kind == ast.KTranspose && y.Kind == ast.KDiv && y.Shape.Cols == ast.One && y.Args[1] == x.Args[0] {
		return sf.simplify(builtin.Sum.Of(y.Args[0]))
	}
	if x.Kind == ast.KTranspose && x.Args[0].Kind == ast.KDiv && x.Args[0].Shape.Cols == ast.One && x.Args[0].Args[1] == y {
		return sf.simplify(builtin.Sum.Of(x.Args[0].Args[0]))
	}
	return nil
}

func inversePair(a, b *ast.Node) bool {
	return (b.Kind == ast.KInverse && b.Args[0] == a) || (a.Kind == ast.KInverse && a.Args[0] == b)
}

// orientScalarChain picks, for a 1×1 product, between the chain and its
// transpose (equal, since sᵀ = s): the one with Δ at the end, so that a linear
// form reads aᵀ·Δ; otherwise the smaller by ast.Compare.
func (sf *Simplifier) orientScalarChain(chain []*ast.Node) []*ast.Node {
	rev := make([]*ast.Node, len(chain))
	for i, f := range chain {
		rev[len(chain)-1-i] = sf.transpose(f)
		rev[len(chain)-1-i] = sf.simplify(rev[len(chain)-1-i])
	}
	hasD := func(ch []*ast.Node) bool { return ch[len(ch)-1].HasDelta() }
	flip := func() []*ast.Node {
		if sf.rewrote("mul-orient-scalar", ast.Mul(chain...), ast.Mul(rev...)) {
			return rev
		}
		return chain
	}
	if hasD(chain) != hasD(rev) {
		if hasD(rev) {
			return flip()
		}
		return chain
	}
	if len(chain) == 1 {
		return chain
	}
	if ast.Compare(ast.Mul(rev...), ast.Mul(chain...)) < 0 {
		return flip()
	}
	return chain
}

// simplifyHadamard flattens, pulls scalar factors out (A ⊙ (sB) = s(A ⊙ B)),
// drops 𝟙, merges powers of equal operands (A ⊙ A = A.^2) and sorts the operands.
func (sf *Simplifier) simplifyHadamard(n *ast.Node) *ast.Node {
	var outer []*ast.Node
	var args []*ast.Node
	var add func(a *ast.Node)
	add = func(a *ast.Node) {
		switch {
		case a.Kind == ast.KHadamard:
			for _, f := range a.Args {
				add(f)
			}
		case a.Kind == ast.KOnes:
		case a.Kind == ast.KBroadcast && a.Args[0].IsScalar():
			outer = append(outer, a.Args[0])
		case a.Kind == ast.KMul && !a.IsScalar():
			var rest []*ast.Node
			for _, f := range a.Args {
				if f.IsScalar() {
					outer = append(outer, f)
				} else {
					rest = append(rest, f)
				}
			}
			if len(rest) == len(a.Args) {
				args = append(args, a)
			} else {
				args = append(args, sf.simplify(product(one(), nil, rest)))
			}
		default:
			args = append(args, a)
		}
	}
	for _, a := range n.Args {
		add(a)
	}
	args = sf.mergePowers(args)
	// A ⊙ (B ⊘ C) = (A ⊙ B) ⊘ C, and A ⊙ B.^(−k) = A ⊘ B.^k.
	var num, den []*ast.Node
	for _, x := range args {
		switch {
		case x.Kind == ast.KDiv:
			num, den = append(num, x.Args[0]), append(den, x.Args[1])
		case x.Kind == ast.KPow && x.Args[1].Kind == ast.KNum && x.Args[1].Num.Sign() < 0:
			den = append(den, ast.Pow(x.Args[0], ast.Number(new(big.Rat).Neg(x.Args[1].Num))))
		default:
			num = append(num, x)
		}
	}
	if len(den) > 0 && len(num) > 0 {
		return sf.simplify(ast.Mul(append(outer, ast.Div(ast.Hadamard(num...), ast.Hadamard(den...)))...))
	}
	slices.SortStableFunc(args, ast.Compare)
	var inner *ast.Node
	switch len(args) {
	case 0:
		inner = ast.Ones(n.Shape)
	case 1:
		inner = args[0]
	default:
		inner = ast.Hadamard(args...)
	}
	if len(outer) == 0 {
		return inner
	}
	return sf.simplify(ast.Mul(append(outer, inner)...))
}

// simplifyDiv: A ⊘ bcast(s) = A/s; 𝟙 ⊘ B = B.^(−1); scalar factors of
// either side move out ((sA) ⊘ B = s(A ⊘ B)); nested quotients become one:
// (A ⊘ B) ⊘ C = A ⊘ (B ⊙ C), A ⊘ (B ⊘ C) = (A ⊙ C) ⊘ B.
func (sf *Simplifier) simplifyDiv(n *ast.Node) *ast.Node {
	a, b := n.Args[0], n.Args[1]
	if b.Kind == ast.KBroadcast && b.Args[0].IsScalar() {
		return sf.simplify(ast.Mul(a, ast.Pow(b.Args[0], ast.Int(-1))))
	}
	if sa, ra := pullScalars(a); len(sa) > 0 {
		return sf.simplify(ast.Mul(append(sa, ast.Div(ra, b))...))
	}
	if sb, rb := pullScalars(b); len(sb) > 0 {
		inv := make([]*ast.Node, len(sb))
		for i, s := range sb {
			inv[i] = ast.Pow(s, ast.Int(-1))
		}
		return sf.simplify(ast.Mul(append(inv, ast.Div(a, rb))...))
	}
	if a.Kind == ast.KOnes || a.Kind == ast.KBroadcast && a.Args[0].IsNum(1) {
		return ast.Pow(b, ast.Int(-1))
	}
	if a.Kind == ast.KDiv {
		return sf.simplify(ast.Div(a.Args[0], ast.Hadamard(a.Args[1], b)))
	}
	if a == b { // B ⊘ B = 𝟙
		return ast.Broadcast(ast.Int(1), n.Shape)
	}
	if r := sf.cancelQuotient(a, b); r != nil {
		return r
	}
	if r := sf.logistic(a, b); r != nil {
		return r
	}
	if b.Kind == ast.KDiv {
		return sf.simplify(ast.Div(ast.Hadamard(a, b.Args[1]), b.Args[0]))
	}
	return n
}

// cancelQuotient removes factors common to the numerator and the
// denominator of A ⊘ B: (C ⊙ D) ⊘ (D ⊙ E) = C ⊘ E. It returns nil when there are none.
func (sf *Simplifier) cancelQuotient(a, b *ast.Node) *ast.Node {
	fs := func(n *ast.Node) []*ast.Node {
		if n.Kind == ast.KHadamard {
			return slices.Clone(n.Args)
		}
		return []*ast.Node{n}
	}
	num, den := fs(a), fs(b)
	changed := false
	for i := 0; i < len(num); i++ {
		if j := slices.Index(den, num[i]); j >= 0 {
			num = slices.Delete(num, i, i+1)
			den = slices.Delete(den, j, j+1)
			i--
			changed = true
		}
	}
	if !changed {
		return nil
	}
	one := ast.Broadcast(ast.Int(1), a.Shape)
	top, bottom := one, one
	if len(num) > 0 {
		top = ast.Hadamard(num...)
	}
	if len(den) > 0 {
		bottom = ast.Hadamard(den...)
	}
	return sf.simplify(ast.Div(top, bottom))
}

// logistic rewrites A ⊙ exp(u) ⊘ (exp(u) + 1) as A ⊙ σ(u): the form the
// derivative of log(1 + exp(u)) takes. It returns nil when a ⊘ b is not of it.
func (sf *Simplifier) logistic(a, b *ast.Node) *ast.Node {
	if b.Kind != ast.KAdd || len(b.Args) != 2 {
		return nil
	}
	var e *ast.Node
	for i, t := range b.Args {
		o := b.Args[1-i]
		if t.Is(builtin.Exp) && (o.IsNum(1) || o.Kind == ast.KBroadcast && o.Args[0].IsNum(1)) {
			e = t
		}
	}
	if e == nil {
		return nil
	}
	num := []*ast.Node{a}
	if a.Kind == ast.KHadamard {
		num = slices.Clone(a.Args)
	}
	i := slices.Index(num, e)
	if i < 0 {
		return nil
	}
	num[i] = builtin.Sigmoid.Of(e.Args[0])
	if len(num) == 1 {
		return num[0]
	}
	return sf.simplify(ast.Hadamard(num...))
}

// simplifyInverse: (A⁻¹)⁻¹ = A, I⁻¹ = I, (cA)⁻¹ = c⁻¹A⁻¹, s⁻¹ = s.^(−1) for a scalar.
func (sf *Simplifier) simplifyInverse(n *ast.Node) *ast.Node {
	a := n.Args[0]
	switch {
	case a.IsScalar():
		return ast.Pow(a, ast.Int(-1))
	case a.Kind == ast.KInverse:
		return a.Args[0]
	case a.Kind == ast.KIdentity:
		return a
	case a.Kind == ast.KMatPow && a.Args[0].Kind == ast.KInverse: // ((A⁻¹)ᵏ)⁻¹ = Aᵏ
		return ast.MatPow(a.Args[0].Args[0], a.K)
	case a.Kind == ast.KMatPow: // (Aᵏ)⁻¹ = (A⁻¹)ᵏ
		return ast.MatPow(ast.Inverse(a.Args[0]), a.K)
	}
	if c, body := split(a); body != nil && !ast.IsOne(c) {
		return sf.simplify(ast.Mul(ast.Number(new(big.Rat).Inv(c)), ast.Inverse(body)))
	}
	return n
}

// simplifyPow: A.^1 = A, A.^0 = 𝟙, numbers folded, (A.^p).^k = A.^(pk) for integer k.
func (sf *Simplifier) simplifyPow(n *ast.Node) *ast.Node {
	a, p := n.Args[0], n.Args[1]
	if p.Kind != ast.KNum {
		return n
	}
	switch {
	case p.IsNum(1):
		return a
	case p.Num.Sign() == 0:
		if a.IsScalar() {
			return ast.Int(1)
		}
		return ast.Broadcast(ast.Int(1), a.Shape)
	case a.Kind == ast.KNum && p.Num.IsInt() && p.Num.Num().IsInt64():
		k := p.Num.Num().Int64()
		bits := int64(a.Num.Num().BitLen() + a.Num.Denom().BitLen())
		if k > -64 && k < 64 && (a.Num.Sign() != 0 || k > 0) && bits*max(k, -k) <= maxFoldedBits {
			return ast.Number(ratPow(a.Num, k))
		}
	case a.Kind == ast.KPow && a.Args[1].Kind == ast.KNum && p.Num.IsInt():
		return ast.Pow(a.Args[0], ast.Number(new(big.Rat).Mul(a.Args[1].Num, p.Num)))
	case a.Kind == ast.KBroadcast:
		return ast.Broadcast(ast.Pow(a.Args[0], p), n.Shape)
	case a.Kind == ast.KMul && a.IsScalar() && p.Num.IsInt(): // (c·s)ᵏ = cᵏ·sᵏ for scalars
		var fs, chain []*ast.Node
		for _, f := range a.Args {
			if f.IsScalar() {
				fs = append(fs, ast.Pow(f, p))
			} else {
				chain = append(chain, f)
			}
		}
		if len(chain) > 0 {
			fs = append(fs, ast.Pow(ast.Mul(chain...), p))
		}
		return sf.simplify(ast.Mul(fs...))
	}
	return n
}

// maxFoldedBits bounds the numbers a power of a number folds to: about
// 2 000 bits (600 digits), past float64's range already. ((1332³²)³²)³²
// stays a power rather than a number of a hundred thousand digits, whose
// printing alone took seconds (a fuzzer find).
const maxFoldedBits = 2048

func ratPow(r *big.Rat, k int64) *big.Rat {
	out := one()
	b := new(big.Rat).Set(r)
	if k < 0 {
		b.Inv(b)
		k = -k
	}
	for ; k > 0; k-- {
		out.Mul(out, b)
	}
	return out
}

// pullScalars splits a's scalar factors (coefficient included) from the rest.
func pullScalars(a *ast.Node) (scalars []*ast.Node, rest *ast.Node) {
	if a.Kind != ast.KMul || a.IsScalar() {
		return nil, a
	}
	var ch []*ast.Node
	for _, f := range a.Args {
		if f.IsScalar() {
			scalars = append(scalars, f)
		} else {
			ch = append(ch, f)
		}
	}
	return scalars, product(one(), nil, ch)
}

// simplifyInner: ⟨a, b⟩ = ab for scalars, ⟨sA, B⟩ = s⟨A, B⟩, ⟨𝟙, B⟩ = sum(B),
// and ⟨A, B⟩ = ⟨B, A⟩ ordered by ast.Compare.
func (sf *Simplifier) simplifyInner(n *ast.Node) *ast.Node {
	a, b := n.Args[0], n.Args[1]
	if a.IsScalar() {
		return ast.Mul(a, b)
	}
	sa, ra := pullScalars(a)
	sb, rb := pullScalars(b)
	if len(sa)+len(sb) > 0 {
		return sf.simplify(ast.Mul(append(append(sa, sb...), ast.Inner(ra, rb))...))
	}
	if a.Kind == ast.KOnes {
		return builtin.Sum.Of(b)
	}
	switch { // ⟨u, v⟩ = uᵀ·v for columns, u·vᵀ for rows
	case a.Shape.Cols == ast.One:
		return sf.simplify(ast.Mul(ast.Transpose(a), b))
	case a.Shape.Rows == ast.One:
		return sf.simplify(ast.Mul(a, ast.Transpose(b)))
	}
	if b.Kind == ast.KOnes {
		return builtin.Sum.Of(a)
	}
	if ast.Compare(b, a) < 0 {
		return ast.Inner(b, a)
	}
	return n
}

// mergeDiagonals sums diagonal terms: c·diag(a) + d·diag(b) = diag(c·a + d·b).
func (sf *Simplifier) mergeDiagonals(terms []*ast.Node) *ast.Node {
	var diags, rest []*ast.Node
	for _, t := range terms {
		c, body := split(t)
		if body != nil && body.Is(builtin.DiagMat) {
			diags = append(diags, sf.scaled(c, body.Args[0], body.Args[0].Shape))
		} else {
			rest = append(rest, t)
		}
	}
	if len(diags) < 2 {
		return nil
	}
	d := sf.simplify(builtin.DiagMat.Of(sf.simplify(ast.Add(diags...))))
	if len(rest) == 0 {
		return d
	}
	return sf.simplify(ast.Add(append(rest, d)...))
}

// expandIfSmaller distributes the Hadamard products of a sum over their sum
// operands, (1 − y) ⊙ p − y ⊙ (1 − p) = p − y ⊙ p − y + y ⊙ p, collects, and
// keeps the result when it has fewer distinct nodes than the sum had:
// products are otherwise never expanded. It returns nil when nothing shrinks.
func (sf *Simplifier) expandIfSmaller(terms []*ast.Node) *ast.Node {
	if sf.expanding || len(terms) > 6 {
		return nil
	}
	var out []*ast.Node
	changed := false
	for _, t := range terms {
		c, body := split(t)
		if body == nil || body.Kind != ast.KHadamard {
			out = append(out, t)
			continue
		}
		k := slices.IndexFunc(body.Args, func(a *ast.Node) bool { return a.Kind == ast.KAdd && len(a.Args) <= 4 })
		if k < 0 {
			out = append(out, t)
			continue
		}
		changed = true
		for _, s := range body.Args[k].Args {
			args := slices.Clone(body.Args)
			args[k] = s
			out = append(out, ast.Mul(ast.Number(c), ast.Hadamard(args...)))
		}
	}
	if !changed {
		return nil
	}
	r := sf.trial(ast.Add(out...))
	if size(r) < size(ast.Add(terms...)) {
		return r
	}
	return nil
}

// trial simplifies n, a rewrite that expandIfSmaller or commonDenominator
// keeps only if it comes out smaller, with neither of them applying inside
// it (they would try their own rewrite again at every level).
func (sf *Simplifier) trial(n *ast.Node) *ast.Node {
	sf.expanding = true
	defer func() { sf.expanding = false }()
	return sf.simplify(n)
}

// size counts the distinct nodes of n.
func size(n *ast.Node) int {
	k := 0
	ast.Walk(n, func(*ast.Node) { k++ })
	return k
}

// denominator returns the base T and power k ≥ 1 of a factor T⁻ᵏ of the
// scalar term t, T a scalar sum, with the other factors of t; ok is false when t
// has no such factor (k = 0, rest = t's factors).
func denominator(t *ast.Node) (base *ast.Node, k int64, rest []*ast.Node, ok bool) {
	factors := []*ast.Node{t}
	if t.Kind == ast.KMul {
		factors = t.Args
	}
	for i, f := range factors {
		if f.Kind != ast.KPow || f.Args[0].Kind != ast.KAdd || !f.Args[0].IsScalar() || f.Args[1].Kind != ast.KNum || !f.Args[1].Num.IsInt() {
			continue
		}
		e := f.Args[1].Num.Num()
		if e.Sign() >= 0 || !e.IsInt64() {
			continue
		}
		rest = append(slices.Clone(factors[:i]), factors[i+1:]...)
		return f.Args[0], -e.Int64(), rest, true
	}
	return nil, 0, factors, false
}

// commonDenominator writes a scalar sum whose terms divide by powers of
// one sum T, a/T − b/T², over T's highest power, (a·T − b)/T², when the
// numerator then collects to a single term and the whole is no larger:
// 1/T − S/T² = 1/T² for T = 1 + S.
// Terms are multiplied by at most T itself (distributed over T's terms);
// it returns nil otherwise.
func (sf *Simplifier) commonDenominator(n *ast.Node) *ast.Node {
	if sf.expanding || !n.IsScalar() || len(n.Args) > 6 {
		return nil
	}
	var base *ast.Node
	var top int64
	for _, t := range n.Args {
		if b, k, _, ok := denominator(t); ok {
			if base != nil && b != base {
				return nil
			}
			base, top = b, max(top, k)
		}
	}
	if base == nil {
		return nil
	}
	var num []*ast.Node
	for _, t := range n.Args {
		_, k, rest, _ := denominator(t)
		switch k {
		case top - 1:
			for _, u := range base.Args { // t·T, distributed
				num = append(num, ast.Mul(append(slices.Clone(rest), u)...))
			}
		case top:
			num = append(num, product(unit, rest, nil))
		default:
			return nil
		}
	}
	r := sf.trial(ast.Add(num...))
	if r.Kind == ast.KAdd {
		return nil
	}
	if r = sf.simplify(ast.Mul(r, ast.Pow(base, ast.Number(new(big.Rat).SetInt64(-top))))); size(r) > size(n) {
		return nil
	}
	return r
}
