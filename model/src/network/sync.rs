//! A spinning barrier for the per-tick synchronisation of the worker threads. A tick of a large
//! network takes a few microseconds, far less than a futex wake-up, so the threads spin (and yield
//! to the scheduler after a while, so that an overloaded machine still makes progress).
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug)]
pub struct SpinBarrier {
    n: usize,
    count: AtomicUsize,
    generation: AtomicUsize,
    /// Set when a participant panicked: the others panic too instead of waiting forever.
    poisoned: AtomicBool,
}

/// Poisons the barrier if the thread holding it unwinds (see [`SpinBarrier::guard`]).
pub struct PoisonOnPanic<'a>(&'a SpinBarrier);

impl Drop for PoisonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poisoned.store(true, Ordering::Release);
        }
    }
}

impl SpinBarrier {
    pub fn new(n: usize) -> Self {
        SpinBarrier {
            n: n.max(1),
            count: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
        }
    }
    /// A guard that poisons the barrier when the current thread panics while holding it.
    pub fn guard(&self) -> PoisonOnPanic<'_> {
        PoisonOnPanic(self)
    }
    /// Block until all `n` threads have called `wait` (for this generation).
    pub fn wait(&self) {
        if self.n == 1 {
            return;
        }
        let gen = self.generation.load(Ordering::Acquire);
        if self.count.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            self.count.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
        } else {
            let mut spins = 0u32;
            while self.generation.load(Ordering::Acquire) == gen {
                if self.poisoned.load(Ordering::Acquire) {
                    panic!("a network worker thread panicked");
                }
                if spins < 64 {
                    std::hint::spin_loop();
                    spins += 1;
                } else {
                    std::thread::yield_now();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn a_panicking_participant_releases_the_others() {
        let b = SpinBarrier::new(2);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::thread::scope(|s| {
                s.spawn(|| {
                    let _g = b.guard();
                    panic!("worker bug");
                });
                let _g = b.guard();
                b.wait(); // would wait forever without the poison
            })
        }));
        assert!(r.is_err());
    }

    #[test]
    fn barrier_orders_phases() {
        let b = SpinBarrier::new(3);
        let phase = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for round in 0..200u64 {
                        phase.fetch_add(1, Ordering::SeqCst);
                        b.wait();
                        // every thread has incremented for this round
                        assert!(phase.load(Ordering::SeqCst) >= 3 * (round + 1));
                        b.wait();
                    }
                });
            }
        });
        assert_eq!(phase.load(Ordering::SeqCst), 600);
    }
}
