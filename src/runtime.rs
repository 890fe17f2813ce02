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
