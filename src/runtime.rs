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

/// Runs `fut` on the shared runtime and returns an asyncio future of its result, like
/// `pyo3_async_runtimes::generic::future_into_py`, but hands results to the event loop itself:
/// each loop watches a wake-up descriptor (`add_reader`), finished calls queue their results, and
/// the loop thread, which holds the GIL already, converts and sets them in batches, one wake-up
/// per batch. pyo3-async-runtimes instead spawns two tasks per call, copies the context, and
/// converts each result on another thread, which must take the GIL from the loop thread, then
/// wakes the loop once per result (`call_soon_threadsafe`). Loops without `add_reader` (and
/// non-Unix systems) still take that path.
pub fn future_into_py<'py, F, T>(
    py: pyo3::Python<'py>,
    fut: F,
) -> PyResult<pyo3::Bound<'py, pyo3::PyAny>>
where
    F: std::future::Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> pyo3::IntoPyObject<'a> + Send + 'static,
{
    #[cfg(unix)]
    if let Some((event_loop, waker)) = handover::current_loop(py)? {
        return handover::spawn(py, &event_loop, waker, fut);
    }
    pyo3_async_runtimes::generic::future_into_py::<SharedRuntime, _, _>(py, fut)
}

#[cfg(unix)]
mod handover {
    use std::cell::RefCell;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};

    use pyo3::exceptions::PyRuntimeError;
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;
    use pyo3::IntoPyObjectExt;

    /// A finished call: sets its future's result (or exception), on the loop thread.
    type Completion = Box<dyn FnOnce(Python<'_>) + Send>;

    /// One event loop's queue of finished calls and the descriptor that wakes the loop.
    pub struct LoopWaker {
        /// Readable while results wait: an eventfd on Linux, a pipe's read end elsewhere.
        read: OwnedFd,
        write: Option<OwnedFd>,
        done: Mutex<Vec<Completion>>,
        /// A wake-up is pending: set by the first result of a batch, cleared by the drain.
        armed: AtomicBool,
        generation: u64,
    }

    impl LoopWaker {
        fn new() -> std::io::Result<Self> {
            let (read, write) = wake_fds()?;
            Ok(LoopWaker {
                read,
                write,
                done: Mutex::new(Vec::new()),
                armed: AtomicBool::new(false),
                generation: super::generation(),
            })
        }

        /// On a runtime thread, without the GIL.
        fn complete(&self, completion: Completion) {
            lock(&self.done).push(completion);
            if !self.armed.swap(true, Ordering::AcqRel) {
                let one: u64 = 1;
                let fd = self.write.as_ref().unwrap_or(&self.read).as_raw_fd();
                // SAFETY: writes 8 bytes of a live u64 to a descriptor this struct owns. Should it
                // fail (a full pipe), a wake-up is pending anyway.
                unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
            }
        }

        /// Run by the loop when the descriptor is readable: delivers every queued result.
        fn drain(&self, py: Python<'_>) {
            let mut buf = [0u8; 64];
            // SAFETY: reads into a local buffer from a non-blocking descriptor this struct owns.
            while unsafe { libc::read(self.read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
                > 0
            {}
            // Cleared before the queue is taken: a result queued after the take wakes us again.
            self.armed.store(false, Ordering::Release);
            let batch = std::mem::take(&mut *lock(&self.done));
            for completion in batch {
                completion(py);
            }
        }
    }

    fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        match mutex.lock() {
            Ok(guard) => guard,
            // Pushing to or taking a Vec cannot leave it half-written.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    #[cfg(target_os = "linux")]
    fn wake_fds() -> std::io::Result<(OwnedFd, Option<OwnedFd>)> {
        // SAFETY: eventfd returns a new descriptor or -1.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor nobody else owns.
        Ok((unsafe { OwnedFd::from_raw_fd(fd) }, None))
    }

    #[cfg(not(target_os = "linux"))]
    fn wake_fds() -> std::io::Result<(OwnedFd, Option<OwnedFd>)> {
        let mut fds = [0; 2];
        // SAFETY: pipe fills both slots with fresh descriptors or returns -1.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: both are fresh descriptors nobody else owns.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        for fd in [&read, &write] {
            // SAFETY: fcntl on descriptors this function owns.
            unsafe {
                let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
                libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
                libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        Ok((read, Some(write)))
    }

    /// The reader callback the loop runs when results wait.
    #[pyclass(frozen)]
    struct Drain(Arc<LoopWaker>);

    #[pymethods]
    impl Drain {
        fn __call__(&self, py: Python<'_>) {
            self.0.drain(py);
        }
    }

    /// The done callback of each future: cancelling the future aborts (drops) its request. It
    /// is removed before a result is set, so a call that completes costs the loop no callback.
    #[pyclass(frozen)]
    struct AbortOnCancel(OnceLock<tokio::task::AbortHandle>);

    #[pymethods]
    impl AbortOnCancel {
        fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
            if future
                .call_method0(pyo3::intern!(future.py(), "cancelled"))?
                .is_truthy()?
            {
                if let Some(task) = self.0.get() {
                    task.abort();
                }
            }
            Ok(())
        }
    }

    thread_local! {
        /// The loop this thread last called from, and its waker. Holding the loop keeps its
        /// address from being reused, so an address comparison recognises it.
        static CURRENT: RefCell<Option<(Py<PyAny>, Arc<LoopWaker>)>> = const { RefCell::new(None) };
    }

    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

    /// The running loop and its waker, or `None` when the loop cannot watch a descriptor.
    pub fn current_loop(py: Python<'_>) -> PyResult<Option<(Bound<'_, PyAny>, Arc<LoopWaker>)>> {
        let get = GET_RUNNING_LOOP.get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?;
        let event_loop = get.bind(py).call0()?;
        let (cached, stale) = CURRENT.with(|current| match current.borrow().as_ref() {
            Some((known, waker)) if known.as_ptr() == event_loop.as_ptr() => {
                if waker.generation == super::generation() {
                    (Some(waker.clone()), None)
                } else {
                    (None, Some(waker.read.as_raw_fd()))
                }
            }
            _ => (None, None),
        });
        if let Some(waker) = cached {
            return Ok(Some((event_loop, waker)));
        }
        if let Some(fd) = stale {
            // A forked child: its parent still reads that descriptor, so stop watching it here.
            let _ = event_loop.call_method1(pyo3::intern!(py, "remove_reader"), (fd,));
        }
        let Ok(waker) = LoopWaker::new().map(Arc::new) else {
            return Ok(None);
        };
        let drain = Bound::new(py, Drain(waker.clone()))?;
        let watched = event_loop.call_method1(
            pyo3::intern!(py, "add_reader"),
            (waker.read.as_raw_fd(), drain),
        );
        if watched.is_err() {
            // A loop without add_reader (NotImplementedError): the generic path serves it.
            return Ok(None);
        }
        // When the loop closes, its selector drops the Drain; the descriptor closes with the
        // last Arc (this cache's, once this thread calls from another loop).
        CURRENT.with(|current| {
            *current.borrow_mut() = Some((event_loop.clone().unbind(), waker.clone()));
        });
        Ok(Some((event_loop, waker)))
    }

    pub fn spawn<'py, F, T>(
        py: Python<'py>,
        event_loop: &Bound<'py, PyAny>,
        waker: Arc<LoopWaker>,
        fut: F,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        F: std::future::Future<Output = PyResult<T>> + Send + 'static,
        T: for<'a> IntoPyObject<'a> + Send + 'static,
    {
        let rt = super::get()?;
        let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
        let on_cancel = Bound::new(py, AbortOnCancel(OnceLock::new()))?;
        future.call_method1(pyo3::intern!(py, "add_done_callback"), (&on_cancel,))?;
        let target = future.clone().unbind();
        let callback = on_cancel.clone().unbind();
        let task = rt.spawn(async move {
            let result = CatchUnwind(Box::pin(fut)).await;
            waker.complete(Box::new(move |py| deliver(py, target, callback, result)));
        });
        // Cancellation can only run on this thread, after this returns: the handle is in place.
        let _ = on_cancel.get().0.set(task.abort_handle());
        Ok(future)
    }

    /// Sets a finished call's outcome on its future, unless the future was cancelled meanwhile.
    fn deliver<T>(
        py: Python<'_>,
        target: Py<PyAny>,
        callback: Py<AbortOnCancel>,
        result: Result<PyResult<T>, String>,
    ) where
        T: for<'a> IntoPyObject<'a>,
    {
        let future = target.bind(py);
        let done = future
            .call_method0(pyo3::intern!(py, "done"))
            .and_then(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            return;
        }
        let _ = future.call_method1(pyo3::intern!(py, "remove_done_callback"), (callback,));
        let set = match result {
            Ok(Ok(value)) => match value.into_py_any(py) {
                Ok(value) => future.call_method1(pyo3::intern!(py, "set_result"), (value,)),
                Err(err) => set_exception(future, err),
            },
            Ok(Err(err)) => set_exception(future, err),
            Err(panic) => set_exception(
                future,
                PyRuntimeError::new_err(format!("eksy internal error: {panic}")),
            ),
        };
        if let Err(err) = set {
            err.write_unraisable(py, Some(future));
        }
    }

    fn set_exception<'py>(future: &Bound<'py, PyAny>, err: PyErr) -> PyResult<Bound<'py, PyAny>> {
        let py = future.py();
        future.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),))
    }

    /// A panic inside a request becomes an error for its caller instead of a lost result.
    struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

    impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
        type Output = Result<F::Output, String>;

        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Self::Output> {
            let inner = self.0.as_mut();
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
                Ok(std::task::Poll::Ready(value)) => std::task::Poll::Ready(Ok(value)),
                Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
                Err(panic) => std::task::Poll::Ready(Err(panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a request panicked".to_string()))),
            }
        }
    }
}
