//! The one tokio runtime of the process, rebuilt in a child made by `fork()`.
//!
//! A forked child inherits the parent's runtime object but none of its threads, so using it would
//! hang. A `pthread_atfork` child handler forgets it (it is leaked: dropping it would wait for
//! threads that do not exist) and bumps a generation counter that clients compare against to
//! rebuild their connection pools.

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Once;

use pyo3::exceptions::PyRuntimeError;
use pyo3::PyResult;
use tokio::runtime::Runtime;

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());
static GENERATION: AtomicU64 = AtomicU64::new(0);
static REGISTER_FORK_HANDLER: Once = Once::new();

extern "C" fn forget_runtime_in_child() {
    RUNTIME.store(std::ptr::null_mut(), Ordering::SeqCst);
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Bumped in every forked child; state tied to the parent's runtime compares against it.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

pub fn get() -> PyResult<&'static Runtime> {
    REGISTER_FORK_HANDLER.call_once(|| {
        // SAFETY: registers a handler that only touches atomics, which is async-signal-safe.
        unsafe {
            libc::pthread_atfork(None, None, Some(forget_runtime_in_child));
        }
    });
    let current = RUNTIME.load(Ordering::Acquire);
    if !current.is_null() {
        // SAFETY: runtimes are leaked, never freed, so the pointer stays valid.
        return Ok(unsafe { &*current });
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .thread_name("eksy-runtime")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the eksy runtime: {e}")))?;
    let fresh = Box::into_raw(Box::new(built));
    match RUNTIME.compare_exchange(
        std::ptr::null_mut(),
        fresh,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        // SAFETY: `fresh` was just leaked from a Box and is now shared for the process lifetime.
        Ok(_) => Ok(unsafe { &*fresh }),
        Err(winner) => {
            // Another thread won the race; ours has run nothing yet and can be dropped.
            // SAFETY: `fresh` came from Box::into_raw above and was never shared.
            drop(unsafe { Box::from_raw(fresh) });
            // SAFETY: the winner is leaked and never freed.
            Ok(unsafe { &*winner })
        }
    }
}

type GilJob = Box<dyn FnOnce() + Send>;

/// The sender of this process's GIL worker, started on first use and again in a forked child.
fn gil_worker() -> std::sync::mpsc::Sender<GilJob> {
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

/// Lets pyo3-async-runtimes spawn onto the shared runtime (its own tokio glue needs a `'static`
/// runtime that could never be replaced after a fork).
pub struct SharedRuntime;

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<pyo3_async_runtimes::TaskLocals>;
}

/// What `SharedRuntime` hands back to pyo3-async-runtimes for a spawned task or a queued
/// hand-over. It drops the hand-over's handle without awaiting it, so a hand-over gets a handle
/// that is already complete: spawning a task only to produce one cost a task and a cross-thread
/// wake-up per call.
pub enum TaskHandle {
    Spawned(tokio::task::JoinHandle<()>),
    Queued,
}

impl std::future::Future for TaskHandle {
    type Output = Result<(), tokio::task::JoinError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            TaskHandle::Spawned(handle) => std::pin::Pin::new(handle).poll(cx),
            TaskHandle::Queued => std::task::Poll::Ready(Ok(())),
        }
    }
}

impl pyo3_async_runtimes::generic::Runtime for SharedRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = TaskHandle;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        TaskHandle::Spawned(match get() {
            Ok(rt) => rt.spawn(fut),
            // Only reachable if the OS refuses threads; the task is dropped and awaiting it errors.
            Err(_) => tokio::task::spawn(fut),
        })
    }

    /// pyo3-async-runtimes runs each finished call's hand-over to asyncio (which needs the GIL)
    /// here. One thread takes them in batches under a single GIL acquisition, instead of one
    /// blocking-pool thread per call queueing for the GIL.
    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        if let Err(rejected) = gil_worker().send(Box::new(f)) {
            // The worker is gone (only if its thread could not start): run the job inline.
            (rejected.0)();
        }
        TaskHandle::Queued
    }
}

impl pyo3_async_runtimes::generic::ContextExt for SharedRuntime {
    fn scope<F, R>(
        locals: pyo3_async_runtimes::TaskLocals,
        fut: F,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = R> + Send>>
    where
        F: std::future::Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<pyo3_async_runtimes::TaskLocals> {
        TASK_LOCALS
            .try_with(|cell| cell.get().cloned())
            .unwrap_or_default()
    }
}
