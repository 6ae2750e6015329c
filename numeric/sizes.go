package numeric

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// maxSizePlans bounds the orders of distinct sizes SizePlans returns.
const maxSizePlans = 7

// SizePlans returns the size assignments a check tries, in order, for the
// size names of prog's variables (sorted), each a complete map:
//
//  1. the default one of RandomEnv: 3, 4, 5, … in sorted order of name;
//  2. the reverse order (later names smaller), then the other orders of
//     the same values — all of them for up to three names, rotations of
//     both orders for more — up to 6 assignments in all, so that for every
//     inequality between sizes that an expression needs (logdet(Xᵀ·X) needs
//     X tall, logdet(X·Xᵀ) wide) some assignment has it;
//  3. all names equal, to max(4, the largest decimal size): square
//     products where an expression needs n ≥ m and m ≥ n at once;
//  4. all names 2, the smallest sizes: sums over few entries, where
//     tanh(sum(X∘² + 1)) is not saturated.
//
// Distinct sizes come first because they find more errors: a misplaced
// transpose or a size name taken for another passes unnoticed when all
// sizes are equal. Without size names the only plan is the empty map.
func SizePlans(prog *ast.Program) []map[ast.Dim]int {
	var names []ast.Dim
	seen := map[ast.Dim]bool{}
	biggest := 4
	if prog != nil {
		for _, v := range prog.Vars {
			for _, d := range []ast.Dim{v.Shape.Rows, v.Shape.Cols} {
				if d.IsNumber() {
					if k, err := strconv.Atoi(string(d)); err == nil && k > biggest {
						biggest = k
					}
					continue
				}
				if !seen[d] {
					seen[d] = true
					names = append(names, d)
				}
			}
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	k := len(names)
	if k == 0 {
		return []map[ast.Dim]int{{}}
	}
	var orders [][]int // orders[p][i] is the index into the values of name i
	asc := make([]int, k)
	for i := range asc {
		asc[i] = i
	}
	desc := make([]int, k)
	for i := range desc {
		desc[i] = k - 1 - i
	}
	orders = append(orders, asc)
	if k > 1 {
		orders = append(orders, desc)
	}
	if k <= 3 {
		for _, p := range permutations(k) {
			orders = append(orders, p)
		}
	} else {
		for r := 1; r < k; r++ {
			for _, base := range [][]int{asc, desc} {
				p := make([]int, k)
				for i := range p {
					p[i] = base[(i+r)%k]
				}
				orders = append(orders, p)
			}
		}
	}
	var plans []map[ast.Dim]int
	have := map[string]bool{}
	for _, o := range orders {
		if len(plans) == maxSizePlans-1 { // 6 orders
			break
		}
		plan := map[ast.Dim]int{}
		for i, n := range names {
			plan[n] = defaultSizes[o[i]%len(defaultSizes)]
		}
		if key := FormatSizes(plan); !have[key] {
			have[key] = true
			plans = append(plans, plan)
		}
	}
	for _, v := range []int{biggest, 2} {
		if k == 1 && v == biggest {
			continue // one name: no order to square
		}
		equal := map[ast.Dim]int{}
		for _, n := range names {
			equal[n] = v
		}
		plans = append(plans, equal)
	}
	return plans
}

// permutations returns every permutation of 0, …, k−1 in lexicographic
// order.
func permutations(k int) [][]int {
	if k == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(k - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := make([]int, 0, k)
			q = append(q, p[:pos]...)
			q = append(q, k-1)
			q = append(q, p[pos:]...)
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		for x := range out[i] {
			if out[i][x] != out[j][x] {
				return out[i][x] < out[j][x]
			}
		}
		return false
	})
	return out
}

// FormatSizes writes a size assignment in sorted order of name, e.g.
// "m = 3, n = 4"; equal sizes share one "=" ("m = n = 4").
func FormatSizes(sizes map[ast.Dim]int) string {
	var names []string
	for d := range sizes {
		if !d.IsNumber() {
			names = append(names, string(d))
		}
	}
	sort.Strings(names)
	var parts []string
	for i := 0; i < len(names); {
		v := sizes[ast.Dim(names[i])]
		j := i
		var group []string
		for j < len(names) && sizes[ast.Dim(names[j])] == v {
			group = append(group, names[j])
			j++
		}
		parts = append(parts, fmt.Sprintf("%s = %d", strings.Join(group, " = "), v))
		i = j
	}
	if len(parts) == 0 {
		return "the declared sizes"
	}
	return strings.Join(parts, ", ")
}
