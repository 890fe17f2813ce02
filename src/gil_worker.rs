//! The process's one GIL worker thread: it runs the Python side of finished async calls for
//! pyo3-async-runtimes, and at interpreter exit lets the job in progress finish, then stops.

use std::sync::atomic::Ordering;

use crate::runtime::generation;

pub type GilJob = Box<dyn FnOnce() + Send>;

/// The sender of this process's GIL worker, started on first use and again in a forked child.
pub fn gil_worker() -> std::sync::mpsc::Sender<GilJob> {
    static WORKER: std::sync::Mutex<Option<(u64, std::sync::mpsc::Sender<GilJob>)>> =
        std::sync::Mutex::new(None);
    let now = generation();
    let mut worker = match WORKER.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((made_in, sender)) = &*worker {
        if *made_in == now {
            return sender.clone();
        }
    }
    let (sender, jobs) = std::sync::mpsc::channel::<GilJob>();
    let started = std::thread::Builder::new()
        .name("eksy-asyncio-handover".into())
        .spawn(move || run_gil_jobs(jobs));
    if started.is_err() {
        // Dropping the receiver makes sends fail, and callers then run jobs inline.
        let (sender, _) = std::sync::mpsc::channel();
        return sender;
    }
    *worker = Some((now, sender.clone()));
    sender
}

static SHUTTING_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Whether the GIL worker is taking or holding the GIL, with a condvar to wait for it to stop.
static WORKER_BUSY: (std::sync::Mutex<bool>, std::sync::Condvar) =
    (std::sync::Mutex::new(false), std::sync::Condvar::new());

fn lock_busy() -> std::sync::MutexGuard<'static, bool> {
    match WORKER_BUSY.0.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Called from an `atexit` hook, while the interpreter is still whole. A foreign thread that
/// waits for the GIL once finalization has begun is killed mid-flight, so from here on the GIL
/// worker drops hand-overs (their event loops are gone anyway), and this waits for a batch the
/// worker may be running or about to run to finish first.
pub fn begin_shutdown(py: pyo3::Python<'_>) {
    {
        // Under the lock: the worker cannot be between its flag check and marking itself busy.
        let _busy = lock_busy();
        SHUTTING_DOWN.store(true, Ordering::SeqCst);
    }
    py.detach(|| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut busy = lock_busy();
        while *busy {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            busy = match WORKER_BUSY.1.wait_timeout(busy, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    });
}

fn run_gil_jobs(jobs: std::sync::mpsc::Receiver<GilJob>) {
    while let Ok(first) = jobs.recv() {
        {
            let mut busy = lock_busy();
            if SHUTTING_DOWN.load(Ordering::SeqCst) {
                drop(busy);
                drop(first);
                continue;
            }
            *busy = true;
        }
        pyo3::Python::attach(|_py| {
            first();
            // Everything that finished meanwhile rides on the same GIL acquisition.
            while let Ok(next) = jobs.try_recv() {
                next();
            }
        });
        *lock_busy() = false;
        WORKER_BUSY.1.notify_all();
    }
}
