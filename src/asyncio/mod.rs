//! The asyncio bridge: an async client method's future, run on the shared tokio runtime, as an
//! awaitable of the caller's event loop.

#[cfg(unix)]
mod handover;

use pyo3::PyResult;

use crate::gil_worker::gil_worker;
use crate::runtime::get;

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
