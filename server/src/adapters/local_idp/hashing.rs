//! A bounded pool for password hashing. Each argon2id hash takes about 19 MiB and tens of
//! milliseconds of a core, so unbounded parallel log-ins or sign-ups would take gigabytes.
//!
//! Hashes run on a fixed set of dedicated threads, one per core, fed by a bounded queue:
//! beyond it the caller is told the provider is busy (nothing was written) and when to
//! retry. Dedicated threads matter as much as the bound: the allocator keeps a freed 19 MiB
//! block in the arena of the thread that freed it, so hashing on tokio's blocking pool (up
//! to 512 threads) let memory grow with every thread that ever hashed (1.3 GiB measured
//! under 300 concurrent log-ins); with two threads it stays at two blocks.

use std::sync::{
    Arc, Mutex,
    mpsc::{self, SyncSender, TrySendError},
};

use crate::ports::IdentityError;

/// Callers allowed to wait, per hashing thread.
const WAITING_PER_THREAD: usize = 16;
/// What a caller turned away is told to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 2;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes on `threads` dedicated threads with at most `threads × 16` jobs waiting. The
/// threads end when the pool is dropped.
pub(super) struct HashingPool {
    jobs: SyncSender<Job>,
}

impl HashingPool {
    /// One hashing thread per core this machine (or Lambda instance) has.
    pub(super) fn sized_for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores)
    }

    /// `threads` hashing threads.
    pub(super) fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job>(threads * WAITING_PER_THREAD);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hashing-{index}"))
                .spawn(move || {
                    while let Ok(job) = queue
                        .lock()
                        .map_err(drop)
                        .and_then(|q| q.recv().map_err(drop))
                    {
                        job();
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(%err, "could not start a password hashing thread");
            }
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread, or refuses at once when the queue is full.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, IdentityError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("password hashing queue full: turning a request away");
                return Err(IdentityError::Busy {
                    retry_after_secs: RETRY_AFTER_SECS,
                });
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(IdentityError::Unavailable(
                    "no password hashing thread".into(),
                ));
            }
        }
        result
            .await
            .map_err(|_| IdentityError::Unavailable("a password hashing job was lost".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_queue_callers_are_told_to_retry_and_the_rest_run() {
        let pool = Arc::new(HashingPool::new(1));
        let (release, hold) = mpsc::channel::<()>();
        let busy = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(move || hold.recv().ok()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued: Vec<_> = (0..WAITING_PER_THREAD)
            .map(|_| {
                let pool = Arc::clone(&pool);
                tokio::spawn(async move { pool.run(|| ()).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;

        let refused = pool.run(|| ()).await;
        assert!(matches!(
            refused,
            Err(IdentityError::Busy {
                retry_after_secs: 2
            })
        ));

        release.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
        for waiting in queued {
            assert!(waiting.await.unwrap().is_ok());
        }
    }

    #[tokio::test]
    async fn work_runs_on_a_named_hashing_thread() {
        let pool = HashingPool::new(1);
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("password-hashing-0"));
    }
}
