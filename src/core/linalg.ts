/**
 * Dense symmetric eigendecomposition: Householder tridiagonalisation followed by the implicit QL
 * algorithm with shifts (tred2 / tql2 of EISPACK, as in JAMA and Numerical Recipes).
 *
 * Storage: the working eigenvector matrix V is kept column-major (V(r, c) at v[c·n + r]). Every
 * O(n³) loop of tred2/tql2 walks down a column of V, so this layout makes all of them run over
 * contiguous memory; the row-major result is transposed out once at the end.
 */

export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues in descending order. */
  readonly values: Float64Array;
  /**
   * Row-major n×n matrix whose column j (entries vectors[i·n + j]) is the unit eigenvector of
   * values[j]. A = V·diag(values)·Vᵀ. Signs are arbitrary.
   */
  readonly vectors: Float64Array;
}

/** Column j of a row-major eigenvector matrix, i.e. the eigenvector of values[j]. */
export function eigenvector(eigen: SymmetricEigen, j: number): Float64Array {
  const { n, vectors } = eigen;
  if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`eigenvector index ${j} out of range 0..${n - 1}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = vectors[i * n + j];
  return out;
}

/** sqrt(a² + b²) without intermediate overflow or underflow. */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/** Checks size, finiteness and symmetry (to within 1e-10 of the largest entry). */
function validateSymmetric(matrix: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`matrix size must be a positive integer, got ${n}`);
  if (matrix.length !== n * n) throw new RangeError(`matrix has ${matrix.length} entries, expected ${n}×${n} = ${n * n}`);
  let maxAbs = 0;
  for (let i = 0; i < n * n; i++) {
    const a = Math.abs(matrix[i]);
    if (!Number.isFinite(a)) throw new RangeError(`matrix entry ${i} is not finite (${matrix[i]})`);
    if (a > maxAbs) maxAbs = a;
  }
  const tolerance = 1e-10 * maxAbs;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(matrix[i * n + j] - matrix[j * n + i]) > tolerance) {
        throw new RangeError(`matrix is not symmetric: entry (${i},${j}) = ${matrix[i * n + j]} but (${j},${i}) = ${matrix[j * n + i]}`);
      }
    }
  }
}

/**
 * Validates the matrix and reduces a copy to tridiagonal form: d the diagonal, e[1..n-1] the
 * sub-diagonal, v (column-major, V(r, c) = v[c·n + r]) the orthogonal transformation Q, formed.
 */
function validatedTridiagonal(matrix: ArrayLike<number>, n: number): { v: Float64Array; d: Float64Array; e: Float64Array } {
  const { v, d, e } = reducedCopy(matrix, n);
  accumulateTransform(v, d, e, n);
  return { v, d, e };
}

/**
 * The same reduction with Q left as its n − 1 Householder reflectors (applyReflectors applies it):
 * forming Q costs as much as the reduction itself, and applying the reflectors to the few vectors
 * wanted costs n² each.
 */
function validatedTridiagonalReflectors(matrix: ArrayLike<number>, n: number): { reflectors: Reflectors; d: Float64Array; e: Float64Array } {
  const { v, d: h, e } = reducedCopy(matrix, n);
  // As accumulateTransform leaves them: the diagonal is V's (the reduced matrix's), e[0] = 0.
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = v[j * n + j];
  e[0] = 0;
  return { reflectors: { v, h, n }, d, e };
}

function reducedCopy(matrix: ArrayLike<number>, n: number): { v: Float64Array; d: Float64Array; e: Float64Array } {
  validateSymmetric(matrix, n);
  // Start from V = A (so v holds Aᵀ = A).
  const v = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) v[c * n + r] = matrix[r * n + c];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  householderReduce(v, d, e, n);
  return { v, d, e };
}

/**
 * Q as tred2 leaves it before accumulation: reflector m (1 ≤ m < n) is P_m = I − u·uᵀ/h on entries
 * 0..m−1, with u the first m entries of V's column m and h = h[m] (0: no reflection), and
 * Q = P_{n−1}···P_2·P_1, the product accumulateTransform forms.
 */
interface Reflectors {
  v: Float64Array;
  h: Float64Array;
  n: number;
}

/**
 * Q·x for each of the vectors, stored one after another (vector j at x[j·n ..]): P_1 first, with
 * accumulateTransform's arithmetic (u/h, then the dot product), so each vector gets exactly the
 * numbers it would get on its own. Four vectors share each pass over a reflector: four independent
 * sums in flight instead of one serial chain, and each reflector entry loaded once for all four.
 */
function applyReflectors({ v, h, n }: Reflectors, x: Float64Array, count: number): void {
  for (let m = 1; m < n; m++) {
    const hm = h[m];
    if (hm === 0) continue;
    const column = m * n;
    let j = 0;
    for (; j + 4 <= count; j += 4) {
      const a = j * n, b = a + n, c = b + n, d = c + n;
      let ga = 0, gb = 0, gc = 0, gd = 0;
      for (let k = 0; k < m; k++) {
        const u = v[column + k];
        ga += u * x[a + k];
        gb += u * x[b + k];
        gc += u * x[c + k];
        gd += u * x[d + k];
      }
      for (let k = 0; k < m; k++) {
        const u = v[column + k] / hm;
        x[a + k] -= ga * u;
        x[b + k] -= gb * u;
        x[c + k] -= gc * u;
        x[d + k] -= gd * u;
      }
    }
    for (; j < count; j++) {
      const a = j * n;
      let g = 0;
      for (let k = 0; k < m; k++) g += v[column + k] * x[a + k];
      for (let k = 0; k < m; k++) x[a + k] -= g * (v[column + k] / hm);
    }
  }
}

/**
 * Eigenvalues (descending) and eigenvectors of a real symmetric n×n matrix given row-major.
 * The matrix must be symmetric to within 1e-10 of its largest entry (checked); the input is not
 * modified. Cost is O(n³): about 2 s for n = 800 in Node 20 (0.4 s for n = 400).
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const { v, d, e } = validatedTridiagonal(matrix, n);
  diagonalize(v, d, e, n);

  // Sort descending and transpose out to row-major (column j = eigenvector j).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b] - d[a]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const source = order[j];
    values[j] = d[source];
    const column = source * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = v[column + i];
  }
  return { n, values, vectors };
}

export interface TopSymmetricEigen {
  readonly n: number;
  /** All n eigenvalues, descending. */
  readonly values: Float64Array;
  /** How many eigenvectors were computed: those of values[0..count-1]. */
  readonly count: number;
  /** Row-major n×count: column j (entries vectors[i·count + j]) is the unit eigenvector of values[j]. Signs are arbitrary. */
  readonly vectors: Float64Array;
}

/**
 * Every eigenvalue of a real symmetric matrix, but only the eigenvectors of the `count` largest:
 * the tridiagonalisation of symmetricEigen, eigenvalues by QL without vectors (bit-identical to
 * symmetricEigen's), then each wanted eigenvector by inverse iteration on the tridiagonal matrix
 * (EISPACK tinvit / LAPACK dstein: reorthogonalised within clusters of close eigenvalues) and the
 * back-transformation through the Householder reflectors. Skipping the O(n³) accumulation of every
 * QL rotation, and forming no Q, leaves the reduction as the only O(n³) step.
 */
export function topSymmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  /** How many eigenvectors, or a function of the eigenvalues (descending) that says how many. */
  wanted: number | ((values: Float64Array) => number),
): TopSymmetricEigen {
  const { reflectors, d, e } = validatedTridiagonalReflectors(matrix, n);
  // The tridiagonal T: diagonal d, off-diagonal off[i] = T(i, i+1) (tred2 leaves it in e[i+1]).
  const diagonal = Float64Array.from(d);
  const off = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) off[i] = e[i + 1];
  diagonalize(null, d, e, n);
  const values = Float64Array.from(d).sort().reverse();
  const count = typeof wanted === 'number' ? wanted : wanted(values);
  if (!Number.isInteger(count) || count < 0 || count > n) throw new RangeError(`eigenvector count must be an integer in 0..${n}, got ${count}`);

  let norm = 0; // ‖T‖₁
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(diagonal[i]) + (i > 0 ? Math.abs(off[i - 1]) : 0) + Math.abs(off[i]));
  const eps = 2 ** -52;
  const clusterGap = 1e-3 * norm;
  const tiny = Math.max(eps * norm, Number.MIN_VALUE);
  const solver = new TridiagonalSolver(diagonal, off, n, tiny);
  const y = new Float64Array(n);
  const previous: Float64Array[] = []; // tridiagonal eigenvectors of the current cluster
  const tridiagonalVectors = new Float64Array(n * count); // vector j at [j·n ..]
  const vectors = new Float64Array(n * count);
  let shifted = Number.NaN;
  let seed = 0x9e3779b9;
  for (let j = 0; j < count; j++) {
    // Equal eigenvalues get slightly separated shifts, so that each solve starts from another LU.
    let lambda = values[j];
    if (j > 0 && values[j - 1] - values[j] <= clusterGap) {
      if (lambda >= shifted) lambda = shifted - 10 * eps * Math.max(Math.abs(shifted), norm);
    } else {
      previous.length = 0;
    }
    shifted = lambda;
    solver.factor(lambda);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; // fixed start, so results repeat exactly
      y[i] = seed / 2 ** 32 - 0.5;
    }
    for (let iteration = 0; iteration < 3; iteration++) {
      solver.solve(y);
      for (const p of previous) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += p[i] * y[i];
        for (let i = 0; i < n; i++) y[i] -= dot * p[i];
      }
      let scale = 0;
      for (let i = 0; i < n; i++) scale += y[i] * y[i];
      if (!(scale > 0 && scale < Infinity)) throw new Error(`inverse iteration broke down for eigenvalue ${j} (${values[j]})`);
      scale = 1 / Math.sqrt(scale);
      for (let i = 0; i < n; i++) y[i] *= scale;
    }
    previous.push(Float64Array.from(y));
    tridiagonalVectors.set(y, j * n);
  }
  // Back-transform: the eigenvectors of A are Q times those of T.
  applyReflectors(reflectors, tridiagonalVectors, count);
  for (let j = 0; j < count; j++) for (let r = 0; r < n; r++) vectors[r * count + j] = tridiagonalVectors[j * n + r];
  return { n, values, count, vectors };
}

/** LU with partial pivoting of T − λI for a tridiagonal T (LAPACK dlagtf/dlagts), and solves with it. */
class TridiagonalSolver {
  private readonly u0: Float64Array;
  private readonly u1: Float64Array;
  private readonly u2: Float64Array;
  private readonly multiplier: Float64Array;
  private readonly swapped: Uint8Array;

  constructor(
    private readonly diagonal: Float64Array,
    private readonly off: Float64Array,
    private readonly n: number,
    /** Zero pivots are replaced by this (inverse iteration wants T − λI singular). */
    private readonly tiny: number,
  ) {
    this.u0 = new Float64Array(n);
    this.u1 = new Float64Array(n);
    this.u2 = new Float64Array(n);
    this.multiplier = new Float64Array(n);
    this.swapped = new Uint8Array(n);
  }

  factor(lambda: number): void {
    const { diagonal, off, n, u0, u1, u2, multiplier, swapped } = this;
    // The active row holds columns i and i+1 only: (a, b).
    let a = diagonal[0] - lambda;
    let b = n > 1 ? off[0] : 0;
    for (let i = 0; i + 1 < n; i++) {
      const below = off[i];
      const nextDiagonal = diagonal[i + 1] - lambda;
      const nextOff = i + 2 < n ? off[i + 1] : 0;
      if (Math.abs(a) >= Math.abs(below)) {
        const m = a === 0 ? 0 : below / a;
        u0[i] = this.pivot(a);
        u1[i] = b;
        u2[i] = 0;
        multiplier[i] = m;
        swapped[i] = 0;
        a = nextDiagonal - m * b;
        b = nextOff;
      } else {
        const m = a / below;
        u0[i] = below;
        u1[i] = nextDiagonal;
        u2[i] = nextOff;
        multiplier[i] = m;
        swapped[i] = 1;
        a = b - m * nextDiagonal;
        b = -m * nextOff;
      }
    }
    u0[n - 1] = this.pivot(a);
  }

  /** Pivots below `tiny` in magnitude are raised to it, keeping their sign. */
  private pivot(a: number): number {
    return Math.abs(a) >= this.tiny ? a : a < 0 ? -this.tiny : this.tiny;
  }

  /** y ← (T − λI)⁻¹·y. */
  solve(y: Float64Array): void {
    const { n, u0, u1, u2, multiplier, swapped } = this;
    for (let i = 0; i + 1 < n; i++) {
      if (swapped[i]) {
        const t = y[i];
        y[i] = y[i + 1];
        y[i + 1] = t;
      }
      y[i + 1] -= multiplier[i] * y[i];
    }
    y[n - 1] /= u0[n - 1];
    if (n > 1) y[n - 2] = (y[n - 2] - u1[n - 2] * y[n - 1]) / u0[n - 2];
    for (let i = n - 3; i >= 0; i--) y[i] = (y[i] - u1[i] * y[i + 1] - u2[i] * y[i + 2]) / u0[i];
  }
}

/**
 * Householder reduction to tridiagonal form (tred2's first half). On return the reduced matrix's
 * diagonal is V's, e[1..n-1] its sub-diagonal, V's columns above the diagonal the reflectors'
 * vectors and d their h (see Reflectors).
 */
function householderReduce(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];

  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      // Householder vector for row i, scaled for stability.
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;

      // e = A·u over the leading i×i block (lower triangle, stored as columns), two columns per
      // pass: each sum and each e[k] receives its terms in the same order as column by column.
      let j = 0;
      for (; j + 1 < i; j += 2) {
        const c0 = j * n;
        const c1 = c0 + n;
        const f0 = d[j];
        const f1 = d[j + 1];
        v[i * n + j] = f0;
        v[i * n + j + 1] = f1;
        let g0 = e[j] + v[c0 + j] * f0;
        const a = v[c0 + j + 1];
        g0 += a * d[j + 1];
        e[j + 1] += a * f0;
        let g1 = e[j + 1] + v[c1 + j + 1] * f1;
        for (let k = j + 2; k < i; k++) {
          const a0 = v[c0 + k];
          const a1 = v[c1 + k];
          const dk = d[k];
          g0 += a0 * dk;
          g1 += a1 * dk;
          e[k] += a0 * f0;
          e[k] += a1 * f1;
        }
        e[j] = g0;
        e[j + 1] = g1;
      }
      for (; j < i; j++) {
        const column = j * n;
        f = d[j];
        v[i * n + j] = f;
        g = e[j] + v[column + j] * f;
        for (let k = j + 1; k < i; k++) {
          const a = v[column + k];
          g += a * d[k];
          e[k] += a * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];

      // Rank-2 update A ← A − u·qᵀ − q·uᵀ of the lower triangle, two columns per pass (column j's
      // new d[j] is read by no later column).
      j = 0;
      for (; j + 1 < i; j += 2) {
        const c0 = j * n;
        const c1 = c0 + n;
        const f0 = d[j];
        const g0 = e[j];
        const f1 = d[j + 1];
        const g1 = e[j + 1];
        v[c0 + j] -= f0 * e[j] + g0 * d[j];
        for (let k = j + 1; k < i; k++) {
          const ek = e[k];
          const dk = d[k];
          v[c0 + k] -= f0 * ek + g0 * dk;
          v[c1 + k] -= f1 * ek + g1 * dk;
        }
        d[j] = v[c0 + i - 1];
        v[c0 + i] = 0;
        d[j + 1] = v[c1 + i - 1];
        v[c1 + i] = 0;
      }
      for (; j < i; j++) {
        const column = j * n;
        f = d[j];
        g = e[j];
        for (let k = j; k < i; k++) v[column + k] -= f * e[k] + g * d[k];
        d[j] = v[column + i - 1];
        v[column + i] = 0;
      }
    }
    d[i] = h;
  }
}

/** tred2's second half: forms Q in v (column-major) and moves the diagonal into d. */
function accumulateTransform(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const column = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[next + k] * v[column + k];
        for (let k = 0; k <= i; k++) v[column + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL with Wilkinson-style shifts on the tridiagonal (tql2); rotations accumulate into v,
 * or nowhere when v is null (tql1: eigenvalues only, O(n²), the very same d as with vectors).
 */
function diagonalize(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;

  const eps = 2 ** -52;
  const maxIterations = 60; // per eigenvalue; QL converges cubically, 2–3 is typical
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++; // e[n-1] = 0 ends the search

    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > maxIterations) throw new Error(`symmetric eigensolver did not converge for eigenvalue ${l}`);
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;

        // Implicit QL sweep from m − 1 up to l.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Rotate columns i and i+1 of V (contiguous in the column-major layout).
          if (!v) continue;
          const ci = i * n;
          const ci1 = ci + n;
          for (let k = 0; k < n; k++) {
            const a = v[ci1 + k];
            const b = v[ci + k];
            v[ci1 + k] = s * b + c * a;
            v[ci + k] = c * b - s * a;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
