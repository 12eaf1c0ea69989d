//! The binding's one work scheduler: items (blocks of rows) handed out one at a time to
//! `k` threads, the calling thread one of them, so a thread slowed down by other work on
//! the machine takes fewer. Both the model functions (`models`) and the table functions
//! (`table`) run on it; every result comes back in item order, so no output depends on
//! the number of threads.

use std::sync::Mutex;

/// Runs `f` on every item of `items` on `k` threads (the caller and `k − 1` spawned
/// ones). Each thread makes one state with `init` and hands it to every item it runs
/// (scratch buffers reused from item to item). Returns the results in item order.
pub(crate) fn each<I, S, T>(
    items: I,
    k: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, I::Item) -> T + Sync,
) -> Vec<T>
where
    I: Iterator + Send,
    T: Send,
{
    let work = Mutex::new(items.enumerate());
    let worker = || {
        let mut state = init();
        let mut mine = Vec::new();
        loop {
            // A poisoned lock means another worker panicked; the scope re-raises that.
            let next = work.lock().map_or(None, |mut w| w.next());
            let Some((i, item)) = next else {
                break mine;
            };
            mine.push((i, f(&mut state, item)));
        }
    };
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let others: Vec<_> = (1..k.max(1)).map(|_| s.spawn(worker)).collect();
        let mut all = worker();
        for h in others {
            all.extend(h.join().expect("cvdscreen worker thread panicked"));
        }
        all
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The rows per block when `k` threads share `n` rows: about 8 blocks per thread, of
/// `min_block` to `max_block` rows (one thread: blocks of `max_block`), at least 1.
pub(crate) fn block_len(n: usize, k: usize, (min_block, max_block): (usize, usize)) -> usize {
    let min_block = min_block.max(1);
    let max_block = max_block.max(min_block);
    match k {
        0 | 1 => n.clamp(1, max_block),
        _ => n.div_ceil(k * 8).clamp(min_block, max_block),
    }
}

/// Splits `0..n` into contiguous blocks of [`block_len`] rows (with `k` lowered to one
/// thread per `min_block` rows) and runs `f(state, lo, hi)` on each with [`each`];
/// returns the results in block order.
pub(crate) fn blocks<S, T: Send>(
    n: usize,
    k: usize,
    (min_block, max_block): (usize, usize),
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize, usize) -> T + Sync,
) -> Vec<T> {
    let k = k.min(n.div_ceil(min_block.max(1))).max(1);
    let block = block_len(n, k, (min_block, max_block));
    let ranges = (0..n.div_ceil(block).max(1)).map(|b| (b * block, ((b + 1) * block).min(n)));
    each(ranges, k, init, |s, (lo, hi)| f(s, lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_in_order_and_every_item_once() {
        for k in [1, 2, 3, 8] {
            let out = each(
                0..1000u64,
                k,
                || 0u64,
                |seen, i| {
                    *seen += 1;
                    i * i
                },
            );
            assert_eq!(
                out,
                (0..1000u64).map(|i| i * i).collect::<Vec<_>>(),
                "k = {k}"
            );
        }
    }

    #[test]
    fn state_is_per_thread_and_reused() {
        // One thread: one state, so the counter runs through every item.
        let out = each(
            0..10,
            1,
            || 0,
            |seen, _| {
                *seen += 1;
                *seen
            },
        );
        assert_eq!(out, (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn blocks_cover_the_rows_in_order() {
        for (n, k, lim) in [
            (0, 2, (1024, 16_384)),
            (1, 1, (1024, 16_384)),
            (100_000, 2, (1024, 16_384)),
            (100_000, 1, (1024, 16_384)),
            (5000, 4, (16_384, usize::MAX)),
            (1_000_001, 3, (1024, usize::MAX)),
        ] {
            let parts = blocks(n, k, lim, || (), |(), lo, hi| (lo, hi));
            assert_eq!(parts.first().map(|p| p.0), Some(0), "{n} {k}");
            assert_eq!(parts.last().map(|p| p.1), Some(n), "{n} {k}");
            for w in parts.windows(2) {
                assert_eq!(w[0].1, w[1].0, "{n} {k}");
            }
            for &(lo, hi) in &parts {
                assert!(hi - lo <= lim.1, "{n} {k}: block {lo}..{hi}");
            }
        }
    }
}
