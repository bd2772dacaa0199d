//! Hadamard matrices for balanced repeated replication (BRR, Fay) and successive difference
//! replication (SDR).
//!
//! A Hadamard matrix of order `m` has entries ±1 and mutually orthogonal rows. BRR uses one row
//! per stratum (rows 1.., row 0 is all +1) and one column per replicate, so the order fixes the
//! number of replicates. Constructions here: Sylvester (orders 2^k), Paley I (`p + 1`, `p` prime
//! ≡ 3 mod 4, bordered so that row and column 0 are +1), Paley II (`2(q + 1)`, `q` prime ≡ 1 mod
//! 4) and doubling `[[H, H], [H, −H]]`.
//!
//! [`Hadamard::for_strata`] chooses the order the way R's `survey::hadamard()` does (the smallest
//! order it can build that is larger than the number of strata, by the same rules), so BRR designs
//! have R's number of replicates. Its matrices are the same as R's whenever R builds them by
//! Sylvester doubling or by its Paley construction; when R picks its stored matrices of order 28
//! or 36 (or their doublings) we build a different matrix of the same order (Paley II), so the
//! replicates are equally valid and as many, but not identical (tested against exported R data).

/// A Hadamard matrix with ±1 entries, stored row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hadamard {
    order: usize,
    entries: Vec<i8>,
}

/// Orders of the starting matrices R keeps (`4` and `16` are Sylvester; `28` and `36` we build by
/// Paley II).
const BASE_ORDERS: [usize; 4] = [4, 16, 28, 36];
/// R's Paley construction only uses primes ≡ 3 (mod 4) up to this bound.
const LARGEST_PALEY_PRIME: usize = 7919;

impl Hadamard {
    /// The order (number of rows = number of columns).
    pub fn order(&self) -> usize {
        self.order
    }

    /// Entry at `row`, `col` (±1). Panics if out of range (internal use with checked bounds).
    pub fn get(&self, row: usize, col: usize) -> i8 {
        self.entries[row * self.order + col]
    }

    /// One row as a slice of ±1.
    pub fn row(&self, row: usize) -> &[i8] {
        &self.entries[row * self.order..(row + 1) * self.order]
    }

    /// The Sylvester matrix of order `2^k`: `H1 = [1]`, `H2n = [[H, H], [H, −H]]`.
    pub fn sylvester(k: u32) -> Self {
        let mut h = Hadamard {
            order: 1,
            entries: vec![1],
        };
        for _ in 0..k {
            h = h.doubled();
        }
        h
    }

    /// `[[H, H], [H, −H]]`, of twice the order.
    pub fn doubled(&self) -> Self {
        let n = self.order;
        let m = 2 * n;
        let mut entries = vec![0i8; m * m];
        for i in 0..n {
            for j in 0..n {
                let v = self.get(i, j);
                entries[i * m + j] = v;
                entries[i * m + j + n] = v;
                entries[(i + n) * m + j] = v;
                entries[(i + n) * m + j + n] = -v;
            }
        }
        Hadamard { order: m, entries }
    }

    /// Paley's first construction for a prime `p ≡ 3 (mod 4)`: order `p + 1`. Row and column 0
    /// are +1; entry `(i + 1, j + 1)` is −1 when `(i + j) mod p` is 0 or a quadratic residue and +1
    /// otherwise (the arrangement R's `paley()` uses, so BRR replicates match R's). `None` if `p`
    /// is not such a prime.
    pub fn paley_i(p: usize) -> Option<Self> {
        if p < 3 || p % 4 != 3 || !is_prime(p) {
            return None;
        }
        let residues = quadratic_residues(p);
        let m = p + 1;
        let mut entries = vec![1i8; m * m];
        for i in 0..p {
            for j in 0..p {
                let s = (i + j) % p;
                entries[(i + 1) * m + j + 1] = if s == 0 || residues[s] { -1 } else { 1 };
            }
        }
        Some(Hadamard { order: m, entries })
    }

    /// Paley's second construction for a prime `q ≡ 1 (mod 4)`: order `2(q + 1)`, normalised so
    /// that row 0 and column 0 are +1. `None` if `q` is not such a prime.
    pub fn paley_ii(q: usize) -> Option<Self> {
        if q % 4 != 1 || !is_prime(q) {
            return None;
        }
        let residues = quadratic_residues(q);
        let chi = |a: usize| -> i8 {
            if a == 0 {
                0
            } else if residues[a] {
                1
            } else {
                -1
            }
        };
        // Symmetric conference matrix C of order q + 1.
        let c_order = q + 1;
        let mut c = vec![0i8; c_order * c_order];
        for k in 1..c_order {
            c[k] = 1;
            c[k * c_order] = 1;
        }
        for i in 0..q {
            for j in 0..q {
                c[(i + 1) * c_order + j + 1] = chi((j + q - i) % q);
            }
        }
        // H = C ⊗ [[1, 1], [1, −1]] + I ⊗ [[1, −1], [−1, −1]].
        let m = 2 * c_order;
        let mut entries = vec![0i8; m * m];
        for i in 0..c_order {
            for j in 0..c_order {
                let v = c[i * c_order + j];
                let (a, b, cc, d) = if i == j {
                    (1, -1, -1, -1)
                } else {
                    (v, v, v, -v)
                };
                entries[2 * i * m + 2 * j] = a;
                entries[2 * i * m + 2 * j + 1] = b;
                entries[(2 * i + 1) * m + 2 * j] = cc;
                entries[(2 * i + 1) * m + 2 * j + 1] = d;
            }
        }
        let mut h = Hadamard { order: m, entries };
        h.normalise();
        Some(h)
    }

    /// Multiplies columns and rows by −1 so that row 0 and column 0 are all +1.
    fn normalise(&mut self) {
        let m = self.order;
        for j in 0..m {
            if self.entries[j] < 0 {
                for i in 0..m {
                    self.entries[i * m + j] = -self.entries[i * m + j];
                }
            }
        }
        for i in 0..m {
            if self.entries[i * m] < 0 {
                for j in 0..m {
                    self.entries[i * m + j] = -self.entries[i * m + j];
                }
            }
        }
    }

    /// Whether the rows are mutually orthogonal (`H Hᵀ = m I`) and row 0 is all +1 (full
    /// orthogonal balance: every other row has as many +1 as −1).
    pub fn is_balanced_hadamard(&self) -> bool {
        let m = self.order;
        if self.row(0).iter().any(|&v| v != 1) {
            return false;
        }
        for a in 0..m {
            for b in a..m {
                let dot: i64 = self
                    .row(a)
                    .iter()
                    .zip(self.row(b))
                    .map(|(&x, &y)| i64::from(x) * i64::from(y))
                    .sum();
                let want = if a == b { m as i64 } else { 0 };
                if dot != want {
                    return false;
                }
            }
        }
        true
    }

    /// The matrix for a BRR design with `n_strata` strata, chosen by R's rules (`hadamard(n)` in
    /// R's `survey`): its order is larger than `n_strata`, so rows `1..=n_strata` are available.
    pub fn for_strata(n_strata: usize) -> Self {
        let n = n_strata;
        let m = n - n % 4;
        if let Some(&size) = BASE_ORDERS.iter().find(|&&s| m < s && m + 4 >= s) {
            return base_matrix(size);
        }
        // Each base order doubled until it exceeds n; take the closest fit (first on ties).
        let doublings: Vec<u32> = BASE_ORDERS
            .iter()
            .map(|&s| {
                let mut k = 0;
                while s << k < n + 1 {
                    k += 1;
                }
                k
            })
            .collect();
        let sizes: Vec<usize> = BASE_ORDERS
            .iter()
            .zip(&doublings)
            .map(|(&s, &k)| s << k)
            .collect();
        let mut best = 0;
        for (i, &s) in sizes.iter().enumerate() {
            if s - n < sizes[best] - n {
                best = i;
            }
        }
        if sizes[best] - n > 4
            && let Some(h) = paley_for(n, sizes[best])
        {
            return h;
        }
        let mut h = base_matrix(BASE_ORDERS[best]);
        for _ in 0..doublings[best] {
            h = h.doubled();
        }
        h
    }
}

fn base_matrix(order: usize) -> Hadamard {
    match order {
        4 => Hadamard::sylvester(2),
        16 => Hadamard::sylvester(4),
        // 28 = 2 (13 + 1) and 36 = 2 (17 + 1); 13 and 17 are primes ≡ 1 (mod 4).
        28 => Hadamard::paley_ii(13).unwrap_or_else(|| Hadamard::sylvester(5)),
        _ => Hadamard::paley_ii(17).unwrap_or_else(|| Hadamard::sylvester(6)),
    }
}

/// R's rule for when a Paley matrix (possibly doubled) fits `n` strata better than a doubled base
/// matrix of order `nmax`.
fn paley_for(n: usize, nmax: usize) -> Option<Hadamard> {
    let nceil = n + 4 - n % 4;
    if n % 8 >= 4 {
        let mut nn = nceil;
        while nn.is_multiple_of(8) {
            nn /= 2;
        }
        if is_paley_prime(nn - 1) {
            let mut h = Hadamard::paley_i(nn - 1)?;
            while nn < nceil {
                h = h.doubled();
                nn *= 2;
            }
            return Some(h);
        }
    }
    if n > LARGEST_PALEY_PRIME {
        return None;
    }
    let p = (n..=LARGEST_PALEY_PRIME).find(|&p| is_paley_prime(p))?;
    if p + 1 > nceil + 4 && nceil + 4 < nmax {
        return paley_for(nceil + 3, 2 * (nceil + 3));
    }
    if p > nmax {
        return None;
    }
    Hadamard::paley_i(p)
}

fn is_paley_prime(p: usize) -> bool {
    (3..=LARGEST_PALEY_PRIME).contains(&p) && p % 4 == 3 && is_prime(p)
}

fn is_prime(n: usize) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// `residues[a]` is true when `a` (1 ≤ a < p) is a non-zero square mod `p`.
fn quadratic_residues(p: usize) -> Vec<bool> {
    let mut residues = vec![false; p];
    for x in 1..p {
        residues[(x * x) % p] = true;
    }
    residues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructions_are_hadamard() {
        for k in 0..7 {
            assert!(
                Hadamard::sylvester(k).is_balanced_hadamard(),
                "sylvester {k}"
            );
        }
        for p in [3, 7, 11, 19, 23, 31, 43, 103] {
            let h = Hadamard::paley_i(p).expect("prime 3 mod 4");
            assert_eq!(h.order(), p + 1);
            assert!(h.is_balanced_hadamard(), "paley I {p}");
        }
        for q in [5, 13, 17, 29] {
            let h = Hadamard::paley_ii(q).expect("prime 1 mod 4");
            assert_eq!(h.order(), 2 * (q + 1));
            assert!(h.is_balanced_hadamard(), "paley II {q}");
        }
        assert!(Hadamard::paley_i(15).is_none());
        assert!(Hadamard::paley_ii(7).is_none());
    }

    #[test]
    fn for_strata_gives_enough_balanced_rows() {
        for n in 1..=300 {
            let h = Hadamard::for_strata(n);
            assert!(h.order() > n, "order {} for {n} strata", h.order());
            assert_eq!(h.order() % 4, 0);
        }
        for n in [1, 5, 11, 20, 27, 35, 48, 100, 200] {
            assert!(Hadamard::for_strata(n).is_balanced_hadamard(), "{n}");
        }
    }
}
