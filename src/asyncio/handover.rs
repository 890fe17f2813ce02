//! Hands finished calls back to an asyncio loop that has `add_reader`: results are converted in
//! batches on the loop's thread, woken through one eventfd.

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
            generation: crate::runtime::generation(),
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
        while unsafe { libc::read(self.read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {
        }
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
            if waker.generation == crate::runtime::generation() {
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
    let rt = crate::runtime::get()?;
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
