//! Panics a test can ask a client for (`_force_panic`), to check that none crosses into Python.

pub(super) const NO_PANIC: u8 = 0;
pub(super) const PANIC_IN_PREPARE: u8 = 1;
pub(super) const PANIC_IN_POLL: u8 = 2;
