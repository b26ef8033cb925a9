//! A per-call arena for the typed stages (included by `#[path]`): every allocation a
//! stage makes while handling one batch — the strings the canonical ABI copies in, the
//! filtered batch — is freed before the call returns, so allocation is a pointer bump
//! and the arena starts over whenever nothing is live. Memory comes from `memory.grow`
//! only, so it never overlaps the module's static data or stack; it is kept for reuse.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

const PAGE: usize = 65536;

pub struct Arena {
    /// The first byte the arena owns (0 before the first allocation).
    base: Cell<usize>,
    next: Cell<usize>,
    end: Cell<usize>,
    live: Cell<usize>,
}

// A wasm32 component instance runs one thread.
unsafe impl Sync for Arena {}

impl Arena {
    pub const fn new() -> Self {
        Arena {
            base: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
            live: Cell::new(0),
        }
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = (self.next.get() + layout.align() - 1) & !(layout.align() - 1);
        let stop = start + layout.size();
        if self.base.get() == 0 || stop > self.end.get() {
            // Grow by what this needs (at least 16 pages); a fresh region if the arena
            // is not at the end of memory.
            let pages = (layout.size() + layout.align()).div_ceil(PAGE).max(16);
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return std::ptr::null_mut();
            }
            let region = old * PAGE;
            if self.base.get() == 0 || region != self.end.get() {
                self.base.set(region);
                self.next.set(region);
            }
            self.end.set(region + pages * PAGE);
            return self.alloc(layout);
        }
        self.next.set(stop);
        self.live.set(self.live.get() + 1);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        let live = self.live.get() - 1;
        self.live.set(live);
        if live == 0 {
            self.next.set(self.base.get());
        }
    }
}
