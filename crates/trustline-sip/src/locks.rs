//! The edge's locks are held only for changes made in one step (an
//! insert, a removal, an assignment), so a panic elsewhere cannot leave
//! what they guard half-changed: a poisoned lock is taken as it is.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
